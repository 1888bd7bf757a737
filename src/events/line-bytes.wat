;; The byte work of reading a recipient line by a line template (line-template.ts), in WebAssembly: V8's
;; optimized JavaScript compares ~6 instructions a byte (bounds, map and detach checks per load), this
;; ~1 (eight bytes a load). Built into line-bytes-wasm.ts by scripts/build-wasm.ts (scripts/wat.ts).
;;
;; Two memories: $chunk holds the input chunks the lines are in (the chunk buffers are this memory: no
;; line is copied), $template the parser's templates (line-bytes.ts places them) and, at [0, 256), the
;; variable spans' alphabet: a flag byte per byte value.
;;
;; A template at $t in $template:
;;   [t + 0]       its piece count n (≥ 1)
;;   [t + 4]       the tail's length
;;   [t + 8 + 8p]  piece p's length
;;   [t + 12 + 8p] the alphabet flags of the variable span after piece p (p < n - 1)
;;   [t + 8 + 8n]  the pieces' bytes back to back, then the tail's
(module
  (import "line" "chunk" (memory $chunk 1 65536 shared))
  (import "line" "template" (memory $template 1))

  ;; Whether $chunk[a, a + n) holds $template[b, b + n): eight bytes at a time (the last eight may overlap
  ;; the word before), below eight byte by byte.
  (func $equal (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $last i32) (local $i i32)
    local.get $n
    i32.const 8
    i32.lt_u
    if
      block $mismatch
        loop $byte
          local.get $n
          i32.eqz
          if
            i32.const 1
            return
          end
          local.get $a
          i32.load8_u $chunk
          local.get $b
          i32.load8_u $template
          i32.ne
          br_if $mismatch
          local.get $a
          i32.const 1
          i32.add
          local.set $a
          local.get $b
          i32.const 1
          i32.add
          local.set $b
          local.get $n
          i32.const 1
          i32.sub
          local.set $n
          br $byte
        end
      end
      i32.const 0
      return
    end
    local.get $n
    i32.const 8
    i32.sub
    local.set $last
    block $words
      loop $word
        local.get $i
        local.get $last
        i32.ge_u
        br_if $words
        local.get $a
        local.get $i
        i32.add
        i64.load $chunk
        local.get $b
        local.get $i
        i32.add
        i64.load $template
        i64.ne
        if
          i32.const 0
          return
        end
        local.get $i
        i32.const 8
        i32.add
        local.set $i
        br $word
      end
    end
    local.get $a
    local.get $last
    i32.add
    i64.load $chunk
    local.get $b
    local.get $last
    i32.add
    i64.load $template
    i64.eq)

  ;; The reply's start in the line whose template part starts at $at (the recipient domain's `@`) and which
  ;; ends at $end ($chunk addresses), read by the template at $t; -1 where a byte differs (see
  ;; LineTemplate.read: each piece in turn, then the span of its alphabet after it, then the tail at the
  ;; line's end, not before the last span's end).
  (func $read (export "read") (param $t i32) (param $at i32) (param $end i32) (result i32)
    (local $pieces i32) (local $piece i32) (local $literal i32) (local $length i32) (local $kind i32)
    local.get $t
    i32.load $template
    local.set $pieces
    local.get $t
    i32.const 8
    i32.add
    local.set $piece
    local.get $piece
    local.get $pieces
    i32.const 3
    i32.shl
    i32.add
    local.set $literal
    block $last
      loop $next
        local.get $piece
        i32.load $template
        local.set $length
        local.get $at
        local.get $length
        i32.add
        local.get $end
        i32.gt_s
        if
          i32.const -1
          return
        end
        local.get $at
        local.get $literal
        local.get $length
        call $equal
        i32.eqz
        if
          i32.const -1
          return
        end
        local.get $at
        local.get $length
        i32.add
        local.set $at
        local.get $literal
        local.get $length
        i32.add
        local.set $literal
        local.get $pieces
        i32.const 1
        i32.sub
        local.tee $pieces
        i32.eqz
        br_if $last
        local.get $piece
        i32.load $template offset=4
        local.set $kind
        local.get $piece
        i32.const 8
        i32.add
        local.set $piece
        block $spanned
          loop $span
            local.get $at
            local.get $end
            i32.ge_s
            br_if $spanned
            local.get $at
            i32.load8_u $chunk
            i32.load8_u $template
            local.get $kind
            i32.and
            i32.eqz
            br_if $spanned
            local.get $at
            i32.const 1
            i32.add
            local.set $at
            br $span
          end
        end
        br $next
      end
    end
    local.get $t
    i32.load $template offset=4
    local.set $length
    local.get $end
    local.get $length
    i32.sub
    local.tee $end
    local.get $at
    i32.lt_s
    if
      i32.const -1
      return
    end
    local.get $end
    local.get $literal
    local.get $length
    call $equal
    i32.eqz
    if
      i32.const -1
      return
    end
    local.get $at)
)
