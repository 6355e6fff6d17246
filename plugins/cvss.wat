;; Okite plugin: the CVSS v3 base score of a vector string.
;;
;; Used by the Hachioji policies to decide whether a vulnerability is 重大 (23(2)) or a
;; 深刻なセキュリティホール (15(6)イ) from the vector published by JVN or the vendor, rather than
;; only from the severity someone typed in: a parser and a scoring formula, which is what
;; plugins are for.
;;
;; `cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")` is 9.8, computed as the
;; CVSS v3.1 specification (section 7.1, with its Roundup of Appendix A) says; `CVSS:3.0/`
;; vectors are scored the same way. Temporal and environmental metrics are ignored (a base
;; score is asked for). A vector that is not valid (a base metric missing, repeated, or with an
;; unknown value; an unknown metric; another prefix) has no score: `none`.
;;
;; ABI (docs/plugins.md): the string arrives as (ptr, len); a `decimal?` result is JSON text
;; (`9.8` or `null`) returned as (ptr << 32) | len.
(module
  (@custom "okite" "abi 1\ncvss3_base_score(vector: string) -> decimal?\n")

  (memory (export "memory") 1)

  ;; "null", and room for the score's digits.
  (data (i32.const 1024) "null")
  (global $null i32 (i32.const 1024))
  (global $out i32 (i32.const 1040))

  (global $heap (mut i32) (i32.const 8192))

  (func (export "okite_alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local $end i32)
    (if (i32.lt_s (local.get $len) (i32.const 0)) (then (unreachable)))
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.and (i32.add (i32.add (local.get $ptr) (local.get $len)) (i32.const 7)) (i32.const -8)))
    (block $fits
      (loop $grow
        (br_if $fits (i32.le_u (local.get $end) (i32.shl (memory.size) (i32.const 16))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (unreachable)))
        (br $grow)))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  (func $result (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))

  (func $no_score (result i64)
    (call $result (global.get $null) (i32.const 4)))

  ;; The two bytes at $p as a little-endian number, so that metric names compare as integers:
  ;; "AV" is 0x5641.
  (func $pair (param $p i32) (result i32)
    (i32.load16_u (local.get $p)))

  ;; The base score, in tenths, as the specification rounds it up.
  (func $roundup_tenths (param $x f64) (result i64)
    (local $int i64)
    (local.set $int (i64.trunc_f64_s (f64.nearest (f64.mul (local.get $x) (f64.const 100000)))))
    (if (result i64) (i64.eqz (i64.rem_s (local.get $int) (i64.const 10000)))
      (then (i64.div_s (local.get $int) (i64.const 10000)))
      (else (i64.add (i64.div_s (local.get $int) (i64.const 10000)) (i64.const 1)))))

  (func (export "cvss3_base_score") (param $p i32) (param $n i32) (result i64)
    (local $e i32)
    (local $i i32)
    (local $key i32)
    (local $keylen i32)
    (local $val i32)
    (local $seen i32)
    (local $bit i32)
    (local $av f64) (local $ac f64) (local $pr i32) (local $ui f64) (local $changed i32)
    (local $c f64) (local $ii f64) (local $a f64) (local $prv f64)
    (local $iss f64) (local $impact f64) (local $expl f64) (local $pow f64) (local $k i32)
    (local $tenths i64)
    (local $out i32)
    (local.set $e (i32.add (local.get $p) (local.get $n)))
    ;; "CVSS:3.0/" or "CVSS:3.1/"
    (if (i32.lt_u (local.get $n) (i32.const 9)) (then (return (call $no_score))))
    (if (i32.ne (i32.load (local.get $p)) (i32.const 0x53535643)) (then (return (call $no_score))))
    (if (i32.ne (i32.load16_u offset=4 (local.get $p)) (i32.const 0x333a)) (then (return (call $no_score))))
    (if (i32.ne (i32.load8_u offset=6 (local.get $p)) (i32.const 46)) (then (return (call $no_score))))
    (if (i32.and
          (i32.ne (i32.load8_u offset=7 (local.get $p)) (i32.const 48))
          (i32.ne (i32.load8_u offset=7 (local.get $p)) (i32.const 49)))
      (then (return (call $no_score))))
    (if (i32.ne (i32.load8_u offset=8 (local.get $p)) (i32.const 47)) (then (return (call $no_score))))
    (local.set $i (i32.add (local.get $p) (i32.const 9)))
    ;; Metrics: KEY ":" VALUE, separated by "/". A value is one letter.
    (loop $metrics
      (local.set $key (local.get $i))
      (block $key_end
        (loop $scan
          (if (i32.ge_u (local.get $i) (local.get $e)) (then (return (call $no_score))))
          (br_if $key_end (i32.eq (i32.load8_u (local.get $i)) (i32.const 58)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $scan)))
      (local.set $keylen (i32.sub (local.get $i) (local.get $key)))
      ;; ':' then exactly one letter, then '/' or the end.
      (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $e)) (then (return (call $no_score))))
      (local.set $val (i32.load8_u offset=1 (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (if (i32.lt_u (local.get $i) (local.get $e))
        (then
          (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 47)) (then (return (call $no_score))))))
      (local.set $bit (i32.const 0))
      (if (i32.eq (local.get $keylen) (i32.const 2))
        (then
          (block $known
            ;; AV: N 0.85, A 0.62, L 0.55, P 0.2
            (if (i32.eq (call $pair (local.get $key)) (i32.const 0x5641))
              (then
                (local.set $bit (i32.const 1))
                (local.set $av
                  (if (result f64) (i32.eq (local.get $val) (i32.const 78)) (then (f64.const 0.85))
                  (else (if (result f64) (i32.eq (local.get $val) (i32.const 65)) (then (f64.const 0.62))
                  (else (if (result f64) (i32.eq (local.get $val) (i32.const 76)) (then (f64.const 0.55))
                  (else (if (result f64) (i32.eq (local.get $val) (i32.const 80)) (then (f64.const 0.2))
                  (else (return (call $no_score)))))))))))
                (br $known)))
            ;; AC: L 0.77, H 0.44
            (if (i32.eq (call $pair (local.get $key)) (i32.const 0x4341))
              (then
                (local.set $bit (i32.const 2))
                (local.set $ac
                  (if (result f64) (i32.eq (local.get $val) (i32.const 76)) (then (f64.const 0.77))
                  (else (if (result f64) (i32.eq (local.get $val) (i32.const 72)) (then (f64.const 0.44))
                  (else (return (call $no_score)))))))
                (br $known)))
            ;; PR: N, L, H (weights depend on the scope, applied below)
            (if (i32.eq (call $pair (local.get $key)) (i32.const 0x5250))
              (then
                (local.set $bit (i32.const 4))
                (if (i32.and (i32.ne (local.get $val) (i32.const 78))
                      (i32.and (i32.ne (local.get $val) (i32.const 76)) (i32.ne (local.get $val) (i32.const 72))))
                  (then (return (call $no_score))))
                (local.set $pr (local.get $val))
                (br $known)))
            ;; UI: N 0.85, R 0.62
            (if (i32.eq (call $pair (local.get $key)) (i32.const 0x4955))
              (then
                (local.set $bit (i32.const 8))
                (local.set $ui
                  (if (result f64) (i32.eq (local.get $val) (i32.const 78)) (then (f64.const 0.85))
                  (else (if (result f64) (i32.eq (local.get $val) (i32.const 82)) (then (f64.const 0.62))
                  (else (return (call $no_score)))))))
                (br $known))))))
      (if (i32.eq (local.get $keylen) (i32.const 1))
        (then
          (block $known
            ;; S: U, C
            (if (i32.eq (i32.load8_u (local.get $key)) (i32.const 83))
              (then
                (local.set $bit (i32.const 16))
                (if (i32.and (i32.ne (local.get $val) (i32.const 85)) (i32.ne (local.get $val) (i32.const 67)))
                  (then (return (call $no_score))))
                (local.set $changed (i32.eq (local.get $val) (i32.const 67)))
                (br $known)))
            ;; C, I, A: H 0.56, L 0.22, N 0
            (if (i32.eq (i32.load8_u (local.get $key)) (i32.const 67))
              (then (local.set $bit (i32.const 32)) (local.set $c (call $cia (local.get $val))) (br $known)))
            (if (i32.eq (i32.load8_u (local.get $key)) (i32.const 73))
              (then (local.set $bit (i32.const 64)) (local.set $ii (call $cia (local.get $val))) (br $known)))
            (if (i32.eq (i32.load8_u (local.get $key)) (i32.const 65))
              (then (local.set $bit (i32.const 128)) (local.set $a (call $cia (local.get $val))) (br $known)))
            ;; E: a temporal metric, ignored.
            (if (i32.eq (i32.load8_u (local.get $key)) (i32.const 69)) (then (br $known)))
            (return (call $no_score)))))
      (if (i32.ge_u (local.get $keylen) (i32.const 3))
        (then
          ;; Environmental metrics (CR, IR, AR are 2 letters; MAV, MAC, ... 3) are ignored;
          ;; anything longer is not a metric.
          (if (i32.gt_u (local.get $keylen) (i32.const 3)) (then (return (call $no_score))))))
      (if (i32.eqz (local.get $keylen)) (then (return (call $no_score))))
      ;; A base metric given twice.
      (if (i32.and (local.get $seen) (local.get $bit)) (then (return (call $no_score))))
      (local.set $seen (i32.or (local.get $seen) (local.get $bit)))
      ;; A C, I or A value outside H/L/N.
      (if (f64.lt (f64.min (local.get $c) (f64.min (local.get $ii) (local.get $a))) (f64.const 0))
        (then (return (call $no_score))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $metrics (i32.lt_u (local.get $i) (local.get $e))))
    (if (i32.ne (local.get $seen) (i32.const 255)) (then (return (call $no_score))))
    ;; Privileges required: N 0.85; L 0.62 (0.68 if the scope changes); H 0.27 (0.5).
    (local.set $prv
      (if (result f64) (i32.eq (local.get $pr) (i32.const 78)) (then (f64.const 0.85))
      (else (if (result f64) (i32.eq (local.get $pr) (i32.const 76))
        (then (select (f64.const 0.68) (f64.const 0.62) (local.get $changed)))
        (else (select (f64.const 0.5) (f64.const 0.27) (local.get $changed)))))))
    (local.set $iss
      (f64.sub (f64.const 1)
        (f64.mul (f64.sub (f64.const 1) (local.get $c))
          (f64.mul (f64.sub (f64.const 1) (local.get $ii)) (f64.sub (f64.const 1) (local.get $a))))))
    (if (local.get $changed)
      (then
        ;; 7.52 × (ISS − 0.029) − 3.25 × (ISS − 0.02)^15
        (local.set $pow (f64.const 1))
        (local.set $k (i32.const 0))
        (loop $power
          (local.set $pow (f64.mul (local.get $pow) (f64.sub (local.get $iss) (f64.const 0.02))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $power (i32.lt_u (local.get $k) (i32.const 15))))
        (local.set $impact
          (f64.sub
            (f64.mul (f64.const 7.52) (f64.sub (local.get $iss) (f64.const 0.029)))
            (f64.mul (f64.const 3.25) (local.get $pow)))))
      (else (local.set $impact (f64.mul (f64.const 6.42) (local.get $iss)))))
    (local.set $expl
      (f64.mul (f64.const 8.22)
        (f64.mul (local.get $av) (f64.mul (local.get $ac) (f64.mul (local.get $prv) (local.get $ui))))))
    (if (f64.le (local.get $impact) (f64.const 0))
      (then (local.set $tenths (i64.const 0)))
      (else
        (local.set $tenths
          (call $roundup_tenths
            (f64.min (f64.const 10)
              (f64.mul
                (select (f64.const 1.08) (f64.const 1) (local.get $changed))
                (f64.add (local.get $impact) (local.get $expl))))))))
    ;; JSON: "10.0" or "d.d"
    (local.set $out (global.get $out))
    (if (i64.ge_s (local.get $tenths) (i64.const 100))
      (then
        (i32.store8 (local.get $out) (i32.const 49))
        (i32.store8 offset=1 (local.get $out) (i32.const 48))
        (i32.store8 offset=2 (local.get $out) (i32.const 46))
        (i32.store8 offset=3 (local.get $out) (i32.const 48))
        (return (call $result (local.get $out) (i32.const 4)))))
    (i32.store8 (local.get $out) (i32.add (i32.const 48) (i32.wrap_i64 (i64.div_u (local.get $tenths) (i64.const 10)))))
    (i32.store8 offset=1 (local.get $out) (i32.const 46))
    (i32.store8 offset=2 (local.get $out) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $tenths) (i64.const 10)))))
    (call $result (local.get $out) (i32.const 3)))

  ;; Confidentiality, integrity and availability impact: H 0.56, L 0.22, N 0; -1 for anything else.
  (func $cia (param $v i32) (result f64)
    (if (result f64) (i32.eq (local.get $v) (i32.const 72)) (then (f64.const 0.56))
    (else (if (result f64) (i32.eq (local.get $v) (i32.const 76)) (then (f64.const 0.22))
    (else (if (result f64) (i32.eq (local.get $v) (i32.const 78)) (then (f64.const 0))
    (else (f64.const -1)))))))))
