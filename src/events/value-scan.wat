;; The byte scan that tells whether a JSON file may hold, where DuckDB's typed reader reads text (or a number),
;; a value of another kind — an object, a list, true or false — that the reader would turn into text (its JSON
;; text, "true") where the parser finds no value (review R6). value-scan.ts reads the file into this memory and
;; decides each place `scan` returns; `scan` only has to be cheap and never miss one. Built into
;; value-scan-wasm.ts by scripts/build-wasm.ts.
;;
;; Memory: [0, 4096) a flag byte per key hash (`hash`: 1 where a text key has that hash, 2 a list key, 3 both);
;; [DATA, …) the file's bytes, with zeros before DATA and after the last byte read (value-scan.ts keeps them).
(module
  (memory (export "memory") 1)

  ;; Bytes below this address are not the file's: a walk back that reaches it stops (value-scan.ts decides).
  (global $floor (export "floor") (mut i32) (i32.const 0))
  ;; The address after the file's bytes read (zeros from there): a walk forward stops there.
  (global $ceiling (export "ceiling") (mut i32) (i32.const 0))

  (func $byte (param $at i32) (result i32) (i32.load8_u (local.get $at)))

  ;; Walking back from $q over JSON whitespace (any byte ≤ 0x20; inside an enveloped message also the escapes
  ;; \n \t \r): the first address that is none, or -1 below the floor.
  (func $back (param $q i32) (param $env i32) (result i32)
    (local $b i32)
    (loop $more
      (if (i32.lt_s (local.get $q) (global.get $floor)) (then (return (i32.const -1))))
      (local.set $b (call $byte (local.get $q)))
      (if (i32.le_u (local.get $b) (i32.const 32))
        (then (local.set $q (i32.sub (local.get $q) (i32.const 1))) (br $more)))
      (if (i32.and
            (local.get $env)
            (i32.and
              (i32.or (i32.eq (local.get $b) (i32.const 110))
                (i32.or (i32.eq (local.get $b) (i32.const 116)) (i32.eq (local.get $b) (i32.const 114))))
              (i32.ge_s (i32.sub (local.get $q) (i32.const 1)) (global.get $floor))))
        (then
          (if (i32.eq (call $byte (i32.sub (local.get $q) (i32.const 1))) (i32.const 92))
            (then (local.set $q (i32.sub (local.get $q) (i32.const 2))) (br $more))))))
    (local.get $q))

  ;; Whether the value starting at $p may be a watched key's (value-scan.ts then decides exactly): 1 when the
  ;; bytes before it are `"key"` and `:` (whitespace between) with a key whose hash is flagged, or the key holds
  ;; an escape, or the walk reaches the floor; 0 when it is no object member's value or its key is not watched.
  ;; A `\u` at $p (enveloped messages): 1 when it is `\u00…` (value-scan.ts reads the code).
  (func $check (param $p i32) (param $env i32) (result i32)
    (local $q i32) (local $end i32) (local $o i32) (local $b i32) (local $len i32) (local $flags i32)
    (if (i32.eq (call $byte (local.get $p)) (i32.const 117))
      (then
        (return (i32.and (i32.eq (call $byte (i32.add (local.get $p) (i32.const 1))) (i32.const 48))
          (i32.eq (call $byte (i32.add (local.get $p) (i32.const 2))) (i32.const 48))))))
    (local.set $q (call $back (i32.sub (local.get $p) (i32.const 1)) (local.get $env)))
    (if (i32.lt_s (local.get $q) (i32.const 0)) (then (return (i32.const 1))))
    (if (i32.ne (call $byte (local.get $q)) (i32.const 58)) (then (return (i32.const 0))))
    (local.set $q (call $back (i32.sub (local.get $q) (i32.const 1)) (local.get $env)))
    (if (i32.lt_s (local.get $q) (i32.const 0)) (then (return (i32.const 1))))
    (if (i32.ne (call $byte (local.get $q)) (i32.const 34)) (then (return (i32.const 0))))
    ;; The key's last byte is before the closing quote, or before its backslash inside an enveloped message.
    (local.set $end (local.get $q))
    (if (i32.and (local.get $env) (i32.ge_s (i32.sub (local.get $q) (i32.const 1)) (global.get $floor)))
      (then
        (if (i32.eq (call $byte (i32.sub (local.get $q) (i32.const 1))) (i32.const 92))
          (then (local.set $end (i32.sub (local.get $q) (i32.const 1)))))))
    (local.set $o (i32.sub (local.get $end) (i32.const 1)))
    (loop $key
      (if (i32.lt_s (local.get $o) (global.get $floor)) (then (return (i32.const 1))))
      (local.set $b (call $byte (local.get $o)))
      (if (i32.eq (local.get $b) (i32.const 92)) (then (return (i32.const 1))))
      (if (i32.ne (local.get $b) (i32.const 34))
        (then (local.set $o (i32.sub (local.get $o) (i32.const 1))) (br $key))))
    ;; Before the opening quote: a backslash inside an enveloped message (its escape), else none.
    (if (i32.lt_s (i32.sub (local.get $o) (i32.const 1)) (global.get $floor)) (then (return (i32.const 1))))
    (if (i32.ne (i32.eq (call $byte (i32.sub (local.get $o) (i32.const 1))) (i32.const 92))
          (i32.ne (local.get $end) (local.get $q)))
      (then (return (i32.const 1))))
    (local.set $len (i32.sub (i32.sub (local.get $end) (local.get $o)) (i32.const 1)))
    (if (i32.eqz (local.get $len)) (then (return (i32.const 0))))
    ;; Keys of one byte: the same byte twice over.
    (local.set $flags (call $byte (call $hash (local.get $len)
      (call $byte (i32.add (local.get $o) (i32.const 1)))
      (call $byte (i32.add (local.get $o) (select (i32.const 2) (i32.const 1) (i32.gt_u (local.get $len) (i32.const 1)))))
      (call $byte (i32.sub (local.get $end) (select (i32.const 2) (i32.const 1) (i32.gt_u (local.get $len) (i32.const 1)))))
      (call $byte (i32.sub (local.get $end) (i32.const 1))))))
    ;; A list of a list key's hash alone: its items read here when they are plain strings and numbers.
    (if (i32.and (i32.eq (local.get $flags) (i32.const 2)) (i32.eq (call $byte (local.get $p)) (i32.const 91)))
      (then (return (call $items (i32.add (local.get $p) (i32.const 1)) (i32.ne (local.get $end) (local.get $q))))))
    (i32.ne (local.get $flags) (i32.const 0)))

  ;; From $q, walking forward over whitespace as `back` does inside a message when $inner: the first other
  ;; address (at most $ceiling).
  (func $forward (param $q i32) (param $inner i32) (result i32)
    (local $b i32)
    (loop $more
      (if (i32.ge_s (local.get $q) (global.get $ceiling)) (then (return (global.get $ceiling))))
      (local.set $b (call $byte (local.get $q)))
      (if (i32.le_u (local.get $b) (i32.const 32))
        (then (local.set $q (i32.add (local.get $q) (i32.const 1))) (br $more)))
      (if (i32.and (local.get $inner) (i32.eq (local.get $b) (i32.const 92)))
        (then
          (local.set $b (call $byte (i32.add (local.get $q) (i32.const 1))))
          (if (i32.or (i32.eq (local.get $b) (i32.const 110))
                (i32.or (i32.eq (local.get $b) (i32.const 116)) (i32.eq (local.get $b) (i32.const 114))))
            (then (local.set $q (i32.add (local.get $q) (i32.const 2))) (br $more))))))
    (local.get $q))

  ;; The items of a list from $q (after its `[`; $inner: inside a message, its strings \"…\"): 0 when each is a
  ;; string with no escape or a number and the list ends before $ceiling, else 1 (value-scan.ts decides).
  (func $items (param $q i32) (param $inner i32) (result i32)
    (local $b i32)
    (loop $item
      (local.set $q (call $forward (local.get $q) (local.get $inner)))
      (if (i32.ge_s (local.get $q) (global.get $ceiling)) (then (return (i32.const 1))))
      (local.set $b (call $byte (local.get $q)))
      (if (i32.eq (local.get $b) (i32.const 93)) (then (return (i32.const 0))))
      (if (i32.and (i32.eqz (local.get $inner)) (i32.eq (local.get $b) (i32.const 34)))
        (then
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (loop $text
            (if (i32.ge_s (local.get $q) (global.get $ceiling)) (then (return (i32.const 1))))
            (local.set $b (call $byte (local.get $q)))
            (if (i32.eq (local.get $b) (i32.const 92)) (then (return (i32.const 1))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br_if $text (i32.ne (local.get $b) (i32.const 34)))))
        (else
          (if (i32.and (local.get $inner)
                (i32.and (i32.eq (local.get $b) (i32.const 92))
                  (i32.eq (call $byte (i32.add (local.get $q) (i32.const 1))) (i32.const 34))))
            (then
              (local.set $q (i32.add (local.get $q) (i32.const 2)))
              (loop $text
                (if (i32.ge_s (local.get $q) (global.get $ceiling)) (then (return (i32.const 1))))
                (local.set $b (call $byte (local.get $q)))
                (if (i32.eq (local.get $b) (i32.const 34)) (then (return (i32.const 1))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br_if $text (i32.ne (local.get $b) (i32.const 92))))
              ;; The backslash must open the closing \".
              (if (i32.ne (call $byte (local.get $q)) (i32.const 34)) (then (return (i32.const 1))))
              (local.set $q (i32.add (local.get $q) (i32.const 1))))
            (else
              (if (i32.eqz (i32.or (i32.eq (local.get $b) (i32.const 45))
                    (i32.lt_u (i32.sub (local.get $b) (i32.const 48)) (i32.const 10))))
                (then (return (i32.const 1))))
              ;; A number: digits, sign, point, exponent.
              (loop $digits
                (local.set $b (call $byte (local.get $q)))
                (if (i32.or (i32.lt_u (i32.sub (local.get $b) (i32.const 48)) (i32.const 10))
                      (i32.or (i32.or (i32.eq (local.get $b) (i32.const 45)) (i32.eq (local.get $b) (i32.const 43)))
                        (i32.or (i32.eq (local.get $b) (i32.const 46)) (i32.eq (i32.or (local.get $b) (i32.const 32)) (i32.const 101)))))
                  (then (local.set $q (i32.add (local.get $q) (i32.const 1))) (br $digits))))))))
      (local.set $q (call $forward (local.get $q) (local.get $inner)))
      (if (i32.ge_s (local.get $q) (global.get $ceiling)) (then (return (i32.const 1))))
      (local.set $b (call $byte (local.get $q)))
      (if (i32.eq (local.get $b) (i32.const 93)) (then (return (i32.const 0))))
      (if (i32.ne (local.get $b) (i32.const 44)) (then (return (i32.const 1))))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $item))
    (i32.const 1))

  ;; A key's hash (12 bits) from its length and its first two and last two bytes (ASCII letters in either case
  ;; alike): value-scan.ts `hashOf`.
  (func $hash (export "hash") (param $len i32) (param $f i32) (param $s i32) (param $p i32) (param $l i32) (result i32)
    (i32.shr_u
      (i32.xor
        (i32.xor (i32.mul (local.get $len) (i32.const 0x9E3779B1))
          (i32.mul (i32.or (local.get $f) (i32.const 32)) (i32.const 0x85EBCA77)))
        (i32.xor
          (i32.xor (i32.mul (i32.or (local.get $s) (i32.const 32)) (i32.const 0xC2B2AE3D))
            (i32.mul (i32.or (local.get $p) (i32.const 32)) (i32.const 0x27D4EB2F)))
          (i32.mul (i32.or (local.get $l) (i32.const 32)) (i32.const 0x165667B1))))
      (i32.const 20)))

  ;; The first address in [$i, $to) where a value may start that `check` keeps, or -1. A value starts with
  ;; `{`, `[`, `t` or `f` after a colon or whitespace (enveloped: also after an escape's n, t, r); enveloped, a
  ;; `\u` is one too. Sixteen bytes a step: the bytes at $i and the ones before them, compared at once.
  (func (export "scan") (param $i i32) (param $to i32) (param $env i32) (result i32)
    (local $v v128) (local $pv v128) (local $mask i32) (local $p i32) (local $escapes v128)
    (loop $sixteen
      (if (i32.ge_s (local.get $i) (local.get $to)) (then (return (i32.const -1))))
      (local.set $v (v128.load (local.get $i)))
      (local.set $pv (v128.load (i32.sub (local.get $i) (i32.const 1))))
      (local.set $escapes (v128.const i32x4 0 0 0 0))
      (if (local.get $env)
        (then
          (local.set $escapes
            (v128.or
              (v128.or (i8x16.eq (local.get $pv) (i8x16.splat (i32.const 110)))
                (i8x16.eq (local.get $pv) (i8x16.splat (i32.const 116))))
              (i8x16.eq (local.get $pv) (i8x16.splat (i32.const 114)))))))
      (local.set $mask
        (i8x16.bitmask
          (v128.and
            ;; `{` or `[` (0x7b, 0x5b: alike with 0x20 set), `t`, `f`
            (v128.or
              (i8x16.eq (v128.or (local.get $v) (i8x16.splat (i32.const 32))) (i8x16.splat (i32.const 123)))
              (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 116)))
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 102)))))
            (v128.or
              (v128.or (i8x16.eq (local.get $pv) (i8x16.splat (i32.const 58)))
                (i8x16.le_u (local.get $pv) (i8x16.splat (i32.const 32))))
              (local.get $escapes)))))
      (if (local.get $env)
        (then
          (local.set $mask
            (i32.or (local.get $mask)
              (i8x16.bitmask
                (v128.and (i8x16.eq (local.get $v) (i8x16.splat (i32.const 117)))
                  (i8x16.eq (local.get $pv) (i8x16.splat (i32.const 92)))))))))
      (block $none
        (loop $each
          (br_if $none (i32.eqz (local.get $mask)))
          (local.set $p (i32.add (local.get $i) (i32.ctz (local.get $mask))))
          (br_if $none (i32.ge_s (local.get $p) (local.get $to)))
          (if (call $check (local.get $p) (local.get $env)) (then (return (local.get $p))))
          (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
          (br $each)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $sixteen))
    (i32.const -1)))
