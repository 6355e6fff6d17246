;; Okite plugin: which web service an address belongs to, from lists of domains.
;;
;; Used by the Hachioji policies for 16(8)カ (free webmail and online storage) and 22(18) (URL
;; shorteners). The lists change more often than the policies, which is why they live in a
;; plugin: a vendor or the city can ship an updated module without touching a rule.
;;
;; Every function takes an address in any of the forms officers write down (a domain
;; `drive.google.com`, a URL `https://bit.ly/3abc`, a mail address `someone@gmail.com`), finds
;; its host name and matches it, ignoring case, against a list: the host is an entry or a
;; subdomain of one (`www.bit.ly` matches `bit.ly`; `notgmail.com` does not match `gmail.com`).
;;
;; ABI (docs/plugins.md): a string argument arrives as (ptr, len) in this module's memory, in a
;; buffer the host obtained from `okite_alloc`; a bool result is an i32 0 or 1.
(module
  (@custom "okite" "abi 1\nis_free_webmail(address: string) -> bool\nis_online_storage(address: string) -> bool\nis_url_shortener(address: string) -> bool\n")

  (memory (export "memory") 1)

  ;; The lists: lower-case host names, each ended by a NUL byte, the list by an empty entry.

  ;; Free webmail: addresses and web interfaces of mail services anyone can sign up to.
  (global $webmail i32 (i32.const 1024))
  (data (i32.const 1024)
    "gmail.com\00googlemail.com\00mail.google.com\00"
    "yahoo.co.jp\00mail.yahoo.co.jp\00ymail.ne.jp\00yahoo.com\00ymail.com\00"
    "outlook.com\00outlook.jp\00hotmail.com\00hotmail.co.jp\00live.jp\00live.com\00msn.com\00"
    "icloud.com\00me.com\00mac.com\00"
    "aol.com\00aol.jp\00zoho.com\00zohomail.com\00proton.me\00protonmail.com\00gmx.com\00gmx.net\00"
    "mail.com\00yandex.com\00yandex.ru\00tutanota.com\00"
    "excite.co.jp\00infoseek.jp\00goo.jp\00mail.goo.ne.jp\00livedoor.com\00nifty.com\00"
    "\00")

  ;; Online storage and file-transfer services on the web.
  (global $storage i32 (i32.const 2048))
  (data (i32.const 2048)
    "dropbox.com\00dropboxusercontent.com\00db.tt\00"
    "drive.google.com\00docs.google.com\00"
    "onedrive.live.com\001drv.ms\00"
    "box.com\00box.net\00mega.nz\00mega.io\00mediafire.com\00pcloud.com\00"
    "wetransfer.com\00we.tl\00sendanywhere.com\00"
    "firestorage.jp\00gigafile.nu\00xgf.nu\00datadeliver.net\00"
    "\00")

  ;; URL shorteners: services whose addresses hide the page they lead to.
  (global $shorteners i32 (i32.const 3072))
  (data (i32.const 3072)
    "bit.ly\00bitly.com\00bit.do\00t.co\00goo.gl\00g.co\00tinyurl.com\00ow.ly\00buff.ly\00is.gd\00v.gd\00"
    "t.ly\00x.gd\00cutt.ly\00rebrand.ly\00rb.gy\00shorturl.at\00tiny.cc\00lnkd.in\00j.mp\00"
    "amzn.to\00amzn.asia\00fb.me\00s.id\00"
    "\00")

  ;; The bump allocator behind `okite_alloc`. Every call runs in a fresh instance (the host's
  ;; rule), so nothing is ever freed.
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

  ;; ASCII lower case.
  (func $lower (param $c i32) (result i32)
    (if (result i32)
      (i32.and (i32.ge_u (local.get $c) (i32.const 65)) (i32.le_u (local.get $c) (i32.const 90)))
      (then (i32.add (local.get $c) (i32.const 32)))
      (else (local.get $c))))

  ;; Whether byte $c ends a host name: `/`, `?`, `#`, `:` (a port), or white space.
  (func $ends_host (param $c i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $c) (i32.const 47)) (i32.eq (local.get $c) (i32.const 63)))
      (i32.or
        (i32.or (i32.eq (local.get $c) (i32.const 35)) (i32.eq (local.get $c) (i32.const 58)))
        (i32.le_u (local.get $c) (i32.const 32)))))

  ;; The host name in the address at [$p, $p + $n), as (start << 32) | end.
  (func $host (param $p i32) (param $n i32) (result i64)
    (local $s i32)
    (local $e i32)
    (local $i i32)
    (local.set $s (local.get $p))
    (local.set $e (i32.add (local.get $p) (local.get $n)))
    ;; Leading white space.
    (block $done
      (loop $trim
        (br_if $done (i32.ge_u (local.get $s) (local.get $e)))
        (br_if $done (i32.gt_u (i32.load8_u (local.get $s)) (i32.const 32)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $trim)))
    ;; A scheme: everything up to the first `://`.
    (local.set $i (local.get $s))
    (block $no_scheme
      (loop $scan
        (br_if $no_scheme (i32.gt_u (i32.add (local.get $i) (i32.const 3)) (local.get $e)))
        (if (i32.and
              (i32.eq (i32.load8_u (local.get $i)) (i32.const 58))
              (i32.and
                (i32.eq (i32.load8_u offset=1 (local.get $i)) (i32.const 47))
                (i32.eq (i32.load8_u offset=2 (local.get $i)) (i32.const 47))))
          (then
            (local.set $s (i32.add (local.get $i) (i32.const 3)))
            (br $no_scheme)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    ;; The authority ends at `/`, `?` or `#`; the host starts after its last `@` (a mail
    ;; address or a URL's user name).
    (local.set $i (local.get $s))
    (block $end
      (loop $scan
        (br_if $end (i32.ge_u (local.get $i) (local.get $e)))
        (br_if $end (i32.eq (i32.load8_u (local.get $i)) (i32.const 47)))
        (br_if $end (i32.eq (i32.load8_u (local.get $i)) (i32.const 63)))
        (br_if $end (i32.eq (i32.load8_u (local.get $i)) (i32.const 35)))
        (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 64))
          (then (local.set $s (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    ;; The host ends at a port, white space or the end of the authority.
    (local.set $e (local.get $i))
    (local.set $i (local.get $s))
    (block $end
      (loop $scan
        (br_if $end (i32.ge_u (local.get $i) (local.get $e)))
        (br_if $end (call $ends_host (i32.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (local.set $e (local.get $i))
    ;; A fully qualified name's trailing dot.
    (block $done
      (loop $strip
        (br_if $done (i32.le_u (local.get $e) (local.get $s)))
        (br_if $done (i32.ne (i32.load8_u (i32.sub (local.get $e) (i32.const 1))) (i32.const 46)))
        (local.set $e (i32.sub (local.get $e) (i32.const 1)))
        (br $strip)))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $s)) (i64.const 32))
      (i64.extend_i32_u (local.get $e))))

  ;; The length of the NUL-terminated entry at $q.
  (func $entry_len (param $q i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $q))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.sub (local.get $i) (local.get $q)))

  ;; Whether the $m bytes at $a equal the $m bytes at $q, ignoring the case of $a's.
  (func $equal_ci (param $a i32) (param $q i32) (param $m i32) (result i32)
    (local $k i32)
    (block $differ
      (loop $cmp
        (if (i32.ge_u (local.get $k) (local.get $m)) (then (return (i32.const 1))))
        (br_if $differ
          (i32.ne
            (call $lower (i32.load8_u (i32.add (local.get $a) (local.get $k))))
            (i32.load8_u (i32.add (local.get $q) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $cmp)))
    (i32.const 0))

  ;; Whether the host of the address at [$p, $p + $n) is an entry of $list or a subdomain of one.
  (func $listed (param $p i32) (param $n i32) (param $list i32) (result i32)
    (local $span i64)
    (local $s i32)
    (local $e i32)
    (local $q i32)
    (local $m i32)
    (local.set $span (call $host (local.get $p) (local.get $n)))
    (local.set $s (i32.wrap_i64 (i64.shr_u (local.get $span) (i64.const 32))))
    (local.set $e (i32.wrap_i64 (local.get $span)))
    (local.set $q (local.get $list))
    (loop $entries
      (local.set $m (call $entry_len (local.get $q)))
      (if (i32.eqz (local.get $m)) (then (return (i32.const 0))))
      ;; The host is the entry ...
      (if (i32.eq (i32.sub (local.get $e) (local.get $s)) (local.get $m))
        (then
          (if (call $equal_ci (local.get $s) (local.get $q) (local.get $m))
            (then (return (i32.const 1))))))
      ;; ... or ends with `.` and the entry.
      (if (i32.gt_u (i32.sub (local.get $e) (local.get $s)) (local.get $m))
        (then
          (if (i32.and
                (i32.eq (i32.load8_u (i32.sub (i32.sub (local.get $e) (local.get $m)) (i32.const 1))) (i32.const 46))
                (call $equal_ci (i32.sub (local.get $e) (local.get $m)) (local.get $q) (local.get $m)))
            (then (return (i32.const 1))))))
      (local.set $q (i32.add (local.get $q) (i32.add (local.get $m) (i32.const 1))))
      (br $entries))
    (i32.const 0))

  (func (export "is_free_webmail") (param $p i32) (param $n i32) (result i32)
    (call $listed (local.get $p) (local.get $n) (global.get $webmail)))

  (func (export "is_online_storage") (param $p i32) (param $n i32) (result i32)
    (call $listed (local.get $p) (local.get $n) (global.get $storage)))

  (func (export "is_url_shortener") (param $p i32) (param $n i32) (result i32)
    (call $listed (local.get $p) (local.get $n) (global.get $shorteners))))
