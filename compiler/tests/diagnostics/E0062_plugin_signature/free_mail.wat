(module
  (@custom "okite" "abi 1\nis_free_mail_domain(domain: string) -> bool\n")
  (memory (export "memory") 1)
  (func (export "okite_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "is_free_mail_domain") (param i32 i32) (result i32) (i32.const 0)))
