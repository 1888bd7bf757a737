;; The pass of trigram-index.ts visitAnchors in WebAssembly: the same rolling key, filter and probe, over a text's
;; UTF-16 code units in this module's memory, answering the positions whose three characters index some anchors
;; (and the slot holding them) in text order; the caller visits those. A reply is read once per matcher by code
;; that a folder of new bounces runs a few thousand times a process: mostly before V8 has optimized it, at ~90
;; instructions a character, where this module is compiled (optimized) when loaded.
;;
;; Memory, laid out by the caller (trigram-index.ts): each table's filter (65,536 bytes, 1 where some key has
;; that filter position) and keys (i32 per slot, -1 empty); the text's code units at $text; the answer at $out,
;; two i32 per hit (position, slot). Offsets in and out are bytes of this memory, positions the text's.
(module
  ;; The text is read where it lies, as a JavaScript string (WebAssembly's JS String Builtins: V8 inlines these).
  (import "wasm:js-string" "charCodeAt" (func $charCodeAt (param externref i32) (result i32)))
  (memory (export "memory") 1)

  ;; visitAnchors' pass over the string $text's code units [$from, $end): for each position whose key is in the table
  ;; ($filter, $keys, $mask), writes (position, slot) at $out; the number of hits.
  (func (export "scan")
    (param $text externref) (param $from i32) (param $end i32) (param $filter i32) (param $keys i32) (param $mask i32)
    (param $out i32) (result i32)
    (local $at i32) (local $key i32) (local $slot i32) (local $held i32) (local $hit i32)
    (if (i32.le_s (i32.sub (local.get $end) (local.get $from)) (i32.const 2)) (then (return (i32.const 0))))
    ;; The first two characters, 9 bits each; $at then is the third, the one each position adds.
    (local.set $key
      (i32.or
        (i32.shl (i32.and (call $charCodeAt (local.get $text) (local.get $from)) (i32.const 511)) (i32.const 9))
        (i32.and (call $charCodeAt (local.get $text) (i32.add (local.get $from) (i32.const 1))) (i32.const 511))))
    (local.set $at (i32.add (local.get $from) (i32.const 2)))
    (local.set $hit (local.get $out))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        ;; The key rolls on by one character (27 bits).
        (local.set $key
          (i32.or
            (i32.and (i32.shl (local.get $key) (i32.const 9)) (i32.const 134217727))
            (i32.and (call $charCodeAt (local.get $text) (local.get $at)) (i32.const 511))))
        ;; presentAt: the key's three characters folded onto 16 bits.
        (if (i32.load8_u
              (i32.add (local.get $filter)
                (i32.and (i32.xor (local.get $key) (i32.shr_u (local.get $key) (i32.const 11))) (i32.const 65535))))
          (then
            ;; slotOf: Math.imul(key, 0x9e3779b1) >>> 16, then linear probing to the key or an empty slot.
            (local.set $slot
              (i32.and (i32.shr_u (i32.mul (local.get $key) (i32.const 0x9e3779b1)) (i32.const 16)) (local.get $mask)))
            (block $probed
              (loop $probe
                (local.set $held
                  (i32.load (i32.add (local.get $keys) (i32.shl (local.get $slot) (i32.const 2)))))
                (br_if $probed (i32.eq (local.get $held) (local.get $key)))
                (br_if $probed (i32.eq (local.get $held) (i32.const -1)))
                (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
                (br $probe)))
            (if (i32.ne (local.get $held) (i32.const -1))
              (then
                ;; The position is that of the key's first character, two before $at.
                (i32.store (local.get $hit) (i32.sub (local.get $at) (i32.const 2)))
                (i32.store offset=4 (local.get $hit) (local.get $slot))
                (local.set $hit (i32.add (local.get $hit) (i32.const 8)))))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $next)))
    (i32.shr_u (i32.sub (local.get $hit) (local.get $out)) (i32.const 3)))
)
