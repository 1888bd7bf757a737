;; The byte work of reading a recipient line by a line template (line-template.ts), and of a Postfix line's
;; head (postfix.ts PostfixParser.head: what a big log's line index holds of each line), in WebAssembly: V8's
;; optimized JavaScript compares ~6 instructions a byte (bounds, map and detach checks per load), this
;; ~1 (eight bytes a load). Built into line-bytes-wasm.ts by scripts/build-wasm.ts (scripts/wat.ts).
;;
;; Two memories: $chunk holds the input chunks the lines are in (the chunk buffers are this memory: no
;; line is copied), $template a parser's templates (line-bytes.ts places them):
;;   [0, 256)      the variable spans' alphabets: a flag byte per byte value (DELAY 1, ADDRESS 2)
;;   [2304]        out: the slot of the line `lookup` read last; [2308] 1 where `delivery`'s `lookup` swapped its two
;;   [2320, 2352)  out: the head `head` read last (PostfixParser.head's eight ints)
;;   [4096, 69632) the table of templates: per slot (LineTemplates.slots, 8192 pairs) its template's address, 0: none
;; A template at $t in $template:
;;   [t + 0]        its piece count n (≥ 1)
;;   [t + 4]        the tail's length
;;   [t + 8]        the recipient domain's length
;;   [t + 12 + 8p]  piece p's length
;;   [t + 16 + 8p]  the kind of the variable span after piece p (p < n - 1): an alphabet's flag, or CONN_USE 4
;;   [t + 12 + 8n]  the pieces' bytes back to back, then the tail's
(module
  (import "line" "chunk" (memory $chunk 1 65536 shared))
  (import "line" "template" (memory $template 1))
  (import "line" "replies" (memory $replies 1))

  ;; The first LF in $chunk[$from, $to), or -1: Buffer's indexOf without its call into C++ (line-index.ts
  ;; indexLines, once a line; `lines`). Sixteen bytes a compare (SIMD), then eight bytes a load: the lowest
  ;; byte of a word that is LF is the lowest zero byte of the word xor LFs, found exactly by the zero-byte test
  ;; (x - 0x01…) & ~x & 0x80… (a borrow only marks bytes above a zero byte).
  (func $lineEnd (export "lineEnd") (param $from i32) (param $to i32) (result i32)
    (local $x i64) (local $found i64) (local $mask i32)
    (block $words
      (loop $vectors
        (br_if $words (i32.gt_s (i32.add (local.get $from) (i32.const 16)) (local.get $to)))
        (local.set $mask
          (i8x16.bitmask
            (i8x16.eq (v128.load $chunk (local.get $from)) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))))
        (if (local.get $mask)
          (then (return (i32.add (local.get $from) (i32.ctz (local.get $mask))))))
        (local.set $from (i32.add (local.get $from) (i32.const 16)))
        (br $vectors)))
    (block $bytes
      (loop $words
        (br_if $bytes (i32.gt_s (i32.add (local.get $from) (i32.const 8)) (local.get $to)))
        (local.set $x (i64.xor (i64.load $chunk (local.get $from)) (i64.const 0x0a0a0a0a0a0a0a0a)))
        (local.set $found
          (i64.and
            (i64.and (i64.sub (local.get $x) (i64.const 0x0101010101010101)) (i64.xor (local.get $x) (i64.const -1)))
            (i64.const 0x8080808080808080)))
        (if (i64.ne (local.get $found) (i64.const 0))
          (then (return (i32.add (local.get $from) (i32.wrap_i64 (i64.shr_u (i64.ctz (local.get $found)) (i64.const 3)))))))
        (local.set $from (i32.add (local.get $from) (i32.const 8)))
        (br $words)))
    (block $none
      (loop $byte
        (br_if $none (i32.ge_s (local.get $from) (local.get $to)))
        (if (i32.eq (i32.load8_u $chunk (local.get $from)) (i32.const 10)) (then (return (local.get $from))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $byte)))
    (i32.const -1))

  ;; Whether $chunk[a, a + n) holds $template[b, b + n): sixteen bytes a compare (the last sixteen may overlap
  ;; the ones before), below sixteen the first and the last eight, below eight byte by byte.
  (func $equal (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $last i32) (local $i i32)
    (if (i32.lt_u (local.get $n) (i32.const 8))
      (then
        (block $mismatch
          (loop $byte
            (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
            (br_if $mismatch (i32.ne (i32.load8_u $chunk (local.get $a)) (i32.load8_u $template (local.get $b))))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $byte)))
        (return (i32.const 0))))
    ;; Eight to sixteen bytes: the first eight and the last eight (overlapping).
    (if (i32.lt_u (local.get $n) (i32.const 16))
      (then
        (local.set $last (i32.sub (local.get $n) (i32.const 8)))
        (return
          (i32.and
            (i64.eq (i64.load $chunk (local.get $a)) (i64.load $template (local.get $b)))
            (i64.eq
              (i64.load $chunk (i32.add (local.get $a) (local.get $last)))
              (i64.load $template (i32.add (local.get $b) (local.get $last))))))))
    ;; Sixteen bytes a compare, the last sixteen overlapping.
    (local.set $last (i32.sub (local.get $n) (i32.const 16)))
    (block $words
      (loop $word
        (br_if $words (i32.ge_u (local.get $i) (local.get $last)))
        (if (v128.any_true
              (v128.xor
                (v128.load $chunk (i32.add (local.get $a) (local.get $i)))
                (v128.load $template (i32.add (local.get $b) (local.get $i)))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $word)))
    (i32.eqz
      (v128.any_true
        (v128.xor
          (v128.load $chunk (i32.add (local.get $a) (local.get $last)))
          (v128.load $template (i32.add (local.get $b) (local.get $last)))))))

  ;; The reply's start in the line whose recipient is [$rcptStart, $rcptEnd) and which ends at $end
  ;; ($chunk addresses), read by the template at $t; -1 where a byte differs (see LineTemplate.read: from
  ;; the recipient domain's `@`, each piece in turn, then the variable span after it, then the tail
  ;; at the line's end, not before the last span's end).
  (func $read (param $t i32) (param $rcptStart i32) (param $rcptEnd i32) (param $end i32) (result i32)
    (local $at i32) (local $pieces i32) (local $piece i32) (local $literal i32) (local $length i32)
    (local $kind i32)
    local.get $rcptEnd
    local.get $t
    i32.load $template offset=8
    i32.sub
    i32.const 1
    i32.sub
    local.tee $at
    local.get $rcptStart
    i32.lt_s
    if
      i32.const -1
      return
    end
    local.get $t
    i32.load $template
    local.set $pieces
    local.get $t
    i32.const 12
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
        local.get $at
        local.get $end
        local.get $kind
        call $spanEnd
        local.set $at
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

  ;; The end of the variable span of kind $kind at $at, before $end (line-template.ts). For an alphabet (DELAY 1,
  ;; ADDRESS 2: the class table at 0 in $template) the end of the run of its bytes: sixteen bytes at a time while
  ;; sixteen lie before $end, by the alphabets' byte ranges (ALPHABET: DELAY `0-9./` = 0x2E-0x39; ADDRESS `0-9:` =
  ;; 0x30-0x3A, `.`, `a-f` and `A-F` = 0x61-0x66 with the case bit set; test/events/line-bytes.test.ts holds them
  ;; to the table for every byte), then byte by byte by the table. CONN_USE 4 is no alphabet: see below. A
  ;; delivery's line has four spans (the relay's address, conn_use, delay, delays), a refusal's a fifth (the
  ;; address in `host H[A] said:`).
  (func $spanEnd (param $at i32) (param $end i32) (param $kind i32) (result i32)
    (local $v v128) (local $out i32)
    ;; CONN_USE 4 (line-template.ts): `, conn_use=` (eleven bytes: eight, and four from the eighth on) and the run
    ;; of DELAY bytes after it, else nothing.
    (if (i32.eq (local.get $kind) (i32.const 4))
      (then
        (if (i32.gt_s (i32.add (local.get $at) (i32.const 11)) (local.get $end)) (then (return (local.get $at))))
        (if (i32.or
              (i64.ne (i64.load $chunk (local.get $at)) (i64.const 0x755f6e6e6f63202c))
              (i32.ne (i32.load $chunk offset=7 (local.get $at)) (i32.const 0x3d657375)))
          (then (return (local.get $at))))
        (return (call $spanEnd (i32.add (local.get $at) (i32.const 11)) (local.get $end) (i32.const 1)))))
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then
        (block $bytes
          (loop $sixteen
            (br_if $bytes (i32.gt_s (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
            (local.set $out
              (i32.xor (i32.const 0xffff)
                (i8x16.bitmask
                  (i8x16.le_u
                    (i8x16.sub (v128.load $chunk (local.get $at)) (v128.const i8x16 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e))
                    (v128.const i8x16 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11)))))
            ;; The first byte outside the alphabet, if any of the sixteen is.
            (if (local.get $out) (then (return (i32.add (local.get $at) (i32.ctz (local.get $out))))))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $sixteen)))))
    (if (i32.eq (local.get $kind) (i32.const 2))
      (then
        (block $bytes
          (loop $sixteen
            (br_if $bytes (i32.gt_s (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
            (local.set $v (v128.load $chunk (local.get $at)))
            (local.set $out
              (i32.xor (i32.const 0xffff)
                (i8x16.bitmask
                  (v128.or
                    (v128.or
                      (i8x16.eq (local.get $v) (v128.const i8x16 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e 0x2e))
                      (i8x16.le_u
                        (i8x16.sub (local.get $v) (v128.const i8x16 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30))
                        (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))
                    (i8x16.le_u
                      (i8x16.sub
                        (v128.or (local.get $v) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
                        (v128.const i8x16 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61))
                      (v128.const i8x16 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5))))))
            (if (local.get $out) (then (return (i32.add (local.get $at) (i32.ctz (local.get $out))))))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $sixteen)))))
    (block $spanned
      (loop $span
        (br_if $spanned (i32.ge_s (local.get $at) (local.get $end)))
        (br_if $spanned
          (i32.eqz (i32.and (i32.load8_u $template (i32.load8_u $chunk (local.get $at))) (local.get $kind))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $span)))
    (local.get $at))

  ;; FNV-1a over $chunk[$from, $to), from $hash (see slotOf in line-template.ts).
  (func $mix (param $hash i32) (param $from i32) (param $to i32) (result i32)
    block $done
      loop $byte
        local.get $from
        local.get $to
        i32.ge_s
        br_if $done
        local.get $hash
        local.get $from
        i32.load8_u $chunk
        i32.xor
        i32.const 16777619
        i32.mul
        local.set $hash
        local.get $from
        i32.const 1
        i32.add
        local.set $from
        br $byte
      end
    end
    local.get $hash)

  ;; LineTemplates.read in one call: the reply's start in the line by a template of its slot, or -1 (none
  ;; matches). The slot as slotOf (line-template.ts) computes it, from the recipient domain's bytes (back
  ;; to its `@`), RELAY_NAME_BYTES (8) bytes RELAY_NAME_AT (9) after the recipient's end, COMMAND_BYTES (4)
  ;; bytes COMMAND_AT (12) before the line's end and $kind, goes to out; where the slot's second template
  ;; matches, the two change places in the table (the caller's slots too: see LineTemplates.read).
  (func $lookup (export "lookup") (param $rcptStart i32) (param $rcptEnd i32) (param $end i32) (param $kind i32)
    (result i32)
    (local $hash i32) (local $i i32) (local $byte i32) (local $slot i32) (local $first i32) (local $second i32)
    (local $start i32)
    local.get $kind
    i32.const 16777619
    i32.mul
    local.set $hash
    local.get $rcptEnd
    local.set $i
    block $domain
      loop $back
        local.get $i
        i32.const 1
        i32.sub
        local.tee $i
        local.get $rcptStart
        i32.lt_s
        br_if $domain
        local.get $i
        i32.load8_u $chunk
        local.tee $byte
        i32.const 64
        i32.eq
        br_if $domain
        local.get $hash
        local.get $byte
        i32.xor
        i32.const 16777619
        i32.mul
        local.set $hash
        br $back
      end
    end
    ;; The relay's name: [rcptEnd + 9, min(end, rcptEnd + 17)).
    local.get $hash
    local.get $rcptEnd
    i32.const 9
    i32.add
    local.get $end
    local.get $rcptEnd
    i32.const 17
    i32.add
    local.tee $i
    local.get $end
    local.get $i
    i32.lt_s
    select
    call $mix
    local.set $hash
    ;; The command: [max(rcptEnd, end - 12), end - 8), but for a kind whose low bit is set (a delivery's: its
    ;; last bytes may be its reply's own id; line-template.ts slotOf).
    (if (i32.eqz (i32.and (local.get $kind) (i32.const 1)))
      (then
        local.get $hash
        local.get $rcptEnd
        local.get $end
        i32.const 12
        i32.sub
        local.tee $i
        local.get $rcptEnd
        local.get $i
        i32.gt_s
        select
        local.get $end
        i32.const 8
        i32.sub
        call $mix
        local.set $hash))
    local.get $hash
    local.get $hash
    i32.const 16
    i32.shr_u
    i32.xor
    i32.const 8191
    i32.and
    i32.const 1
    i32.shl
    local.set $slot
    i32.const 2304
    local.get $slot
    i32.store $template
    local.get $slot
    i32.const 2
    i32.shl
    i32.load $template offset=4096
    local.tee $first
    i32.eqz
    if
      i32.const -1
      return
    end
    local.get $first
    local.get $rcptStart
    local.get $rcptEnd
    local.get $end
    call $read
    local.tee $start
    i32.const 0
    i32.ge_s
    if
      local.get $start
      return
    end
    local.get $slot
    i32.const 2
    i32.shl
    i32.load $template offset=4100
    local.tee $second
    i32.eqz
    if
      i32.const -1
      return
    end
    local.get $second
    local.get $rcptStart
    local.get $rcptEnd
    local.get $end
    call $read
    local.tee $start
    i32.const 0
    i32.lt_s
    if
      i32.const -1
      return
    end
    local.get $slot
    i32.const 2
    i32.shl
    local.get $second
    i32.store $template offset=4096
    local.get $slot
    i32.const 2
    i32.shl
    local.get $first
    i32.store $template offset=4100
    ;; Said at 2308 (see `delivery`).
    i32.const 2308
    i32.const 1
    i32.store $template
    local.get $start)

  ;; A delivery's line read and its record written in one call (LineTemplates.delivery): `lookup`, then, where one
  ;; of the two lanes of the template that read the line (line-bytes.ts LANES: at its address - 96 the one filled
  ;; last, at - 48 the one before) holds for the line (see $laned), `replyRecord` by that lane's templates. The
  ;; record's end (>= 0: written at $out); else -2 - the reply's start `lookup` found (-1: no template read the
  ;; line), nothing written.
  (func $delivery (export "delivery") (param $rcptStart i32) (param $rcptEnd i32) (param $end i32) (param $kind i32)
    (param $out i32) (param $limit i32) (param $line i32) (param $timeLength i32) (result i32)
    (local $start i32) (local $t i32) (local $replyEnd i32) (local $written i32)
    ;; Whether `lookup` swaps the slot's templates, at 2308: the caller's copy of the table changes with it (a
    ;; flag read here, not the caller's template object: a wide log's thousands are mostly out of the caches).
    (i32.store $template offset=2308 (i32.const 0) (i32.const 0))
    (local.set $start
      (call $lookup (local.get $rcptStart) (local.get $rcptEnd) (local.get $end) (local.get $kind)))
    (if (i32.lt_s (local.get $start) (i32.const 0)) (then (return (i32.const -1))))
    ;; The template that read it is its slot's first now.
    (local.set $t
      (i32.load $template offset=4096 (i32.shl (i32.load $template offset=2304 (i32.const 0)) (i32.const 2))))
    (local.set $replyEnd (i32.sub (local.get $end) (i32.load $template offset=4 (local.get $t))))
    (local.set $written
      (call $laned (i32.sub (local.get $t) (i32.const 96)) (local.get $start) (local.get $replyEnd)
        (local.get $rcptStart) (local.get $rcptEnd) (local.get $out) (local.get $limit) (local.get $line)
        (local.get $timeLength)))
    (if (i32.ge_s (local.get $written) (i32.const 0)) (then (return (local.get $written))))
    (local.set $written
      (call $laned (i32.sub (local.get $t) (i32.const 48)) (local.get $start) (local.get $replyEnd)
        (local.get $rcptStart) (local.get $rcptEnd) (local.get $out) (local.get $limit) (local.get $line)
        (local.get $timeLength)))
    (if (i32.ge_s (local.get $written) (i32.const 0)) (then (return (local.get $written))))
    (i32.sub (i32.const -2) (local.get $start)))

  ;; The record of the delivery whose reply is [$start, $replyEnd) written at $out by the lane at $lane, where it
  ;; holds: filled (OutcomeShape.fillLane: how the sink wrote the last record of its shape, valid while the replies
  ;; memory's epoch and the class's version are the ones it holds) and the line's reply code, line number's digits,
  ;; time and room are those the lane's record template was made for; `replyRecord` by the lane's reply template,
  ;; record template and host, the time from 2304 in $replies (the caller put the line's time there; its length
  ;; $timeLength). The record's end; -1 where the lane does not hold (nothing written).
  ;; The lane: [0] 1 filled, [1] epoch, [2] the class version's address in $replies, [3] its value, [4] the reply
  ;; code, [5] the reply template's address, [6] the record template's, [7] the host's, [8] the record's room but
  ;; the recipient's, host's and reply's, [9] the host's length, [10] the class's probe (-1: none), [11] the key of
  ;; the bytes there (for a lane of its class's own `written`: [10] -2 - the probe, [11] the probe table's mix). The
  ;; epoch is at 2368 in $replies (line-bytes.ts EPOCH_AT), the versions at 4096 (VERSIONS_AT, 4096 of them), the
  ;; marks at 20480 (MARKS_AT, 65,536 bits: one for each key with a `written` of its own, by its class's mix).
  (func $laned (param $lane i32) (param $start i32) (param $replyEnd i32) (param $rcptStart i32) (param $rcptEnd i32)
    (param $out i32) (param $limit i32) (param $line i32) (param $timeLength i32) (result i32)
    (local $r i32) (local $length i32) (local $c i32) (local $digits i32) (local $bound i32) (local $form i32)
    (local $room i32) (local $written i32) (local $probe i32) (local $at i32) (local $key i32) (local $back i32)
    (local $absent i32)
    (block $js
      (br_if $js (i32.ne (i32.load $template (local.get $lane)) (i32.const 1)))
      (br_if $js (i32.ne (i32.load $template offset=4 (local.get $lane)) (i32.load $replies offset=2368 (i32.const 0))))
      (br_if $js
        (i32.ne (i32.load $replies (i32.load $template offset=8 (local.get $lane))) (i32.load $template offset=12 (local.get $lane))))
      (local.set $length (i32.sub (local.get $replyEnd) (local.get $start)))
      ;; 0 < length <= MAX_MASKED_LENGTH (reply-key.ts: longer ones are not matched in WebAssembly).
      (br_if $js (i32.or (i32.lt_s (local.get $length) (i32.const 3)) (i32.gt_s (local.get $length) (i32.const 4096))))
      ;; The reply code as leadingReplyCodeOfBytes reads it (reply.ts): 2-5, two digits, then SP, `-`, TAB or the end.
      (local.set $c (i32.sub (i32.load8_u $chunk (local.get $start)) (i32.const 48)))
      (br_if $js (i32.gt_u (i32.sub (local.get $c) (i32.const 2)) (i32.const 3)))
      (local.set $digits (i32.sub (i32.load8_u $chunk offset=1 (local.get $start)) (i32.const 48)))
      (br_if $js (i32.gt_u (local.get $digits) (i32.const 9)))
      (local.set $c (i32.add (i32.mul (local.get $c) (i32.const 100)) (i32.mul (local.get $digits) (i32.const 10))))
      (local.set $digits (i32.sub (i32.load8_u $chunk offset=2 (local.get $start)) (i32.const 48)))
      (br_if $js (i32.gt_u (local.get $digits) (i32.const 9)))
      (br_if $js (i32.ne (i32.add (local.get $c) (local.get $digits)) (i32.load $template offset=16 (local.get $lane))))
      (if (i32.gt_s (local.get $length) (i32.const 3))
        (then
          (local.set $c (i32.load8_u $chunk offset=3 (local.get $start)))
          (br_if $js
            (i32.eqz
              (i32.or (i32.eq (local.get $c) (i32.const 32))
                (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 9))))))))
      ;; A class whose replies take turns among a few shapes (SharedContext.probe): the key of the bytes at its
      ;; probe (SharedContext.probed: FNV-1a of 4 bytes there, from a number's first digit) is the lane's; for a
      ;; lane of the class's own `written` (its probe stored as -2 - probe), a key none of whose own was written:
      ;; none, or its bit among the marks (ProbeTable.markBit, by the lane's mix) 0.
      (local.set $probe (i32.load $template offset=40 (local.get $lane)))
      (local.set $absent (i32.lt_s (local.get $probe) (i32.const -1)))
      (if (local.get $absent) (then (local.set $probe (i32.sub (i32.const -2) (local.get $probe)))))
      (if (i32.ge_s (local.get $probe) (i32.const 0))
        (then
          (local.set $at (i32.sub (local.get $replyEnd) (local.get $probe)))
          (local.set $key (i32.const -1))
          (if (i32.ge_s (local.get $at) (local.get $start))
            (then
              (local.set $back (i32.const 0))
              (block $first
                (loop $digit
                  (br_if $first (i32.ge_u (local.get $back) (i32.const 4)))
                  (br_if $first (i32.le_s (local.get $at) (local.get $start)))
                  (br_if $first (i32.gt_u (i32.sub (i32.load8_u $chunk (local.get $at)) (i32.const 48)) (i32.const 9)))
                  (br_if $first
                    (i32.gt_u (i32.sub (i32.load8_u $chunk (i32.sub (local.get $at) (i32.const 1))) (i32.const 48)) (i32.const 9)))
                  (local.set $at (i32.sub (local.get $at) (i32.const 1)))
                  (local.set $back (i32.add (local.get $back) (i32.const 1)))
                  (br $digit)))
              (local.set $back (i32.add (local.get $at) (i32.const 4)))
              (local.set $key
                (i32.shr_u
                  (call $mix (i32.const 0) (local.get $at)
                    (select (local.get $replyEnd) (local.get $back) (i32.lt_s (local.get $replyEnd) (local.get $back))))
                  (i32.const 1)))))
          (if (local.get $absent)
            (then
              (local.set $at
                (i32.shr_u
                  (i32.mul (i32.xor (local.get $key) (i32.load $template offset=44 (local.get $lane))) (i32.const 0x9e3779b1))
                  (i32.const 16)))
              (br_if $js
                (i32.and (i32.ge_s (local.get $key) (i32.const 0))
                  (i32.ne
                    (i32.and
                      (i32.load $replies offset=20480 (i32.shl (i32.shr_u (local.get $at) (i32.const 5)) (i32.const 2)))
                      (i32.shl (i32.const 1) (local.get $at)))
                    (i32.const 0)))))
            (else (br_if $js (i32.ne (local.get $key) (i32.load $template offset=44 (local.get $lane))))))))
      ;; The record template's line number digits (render-output.ts digitCount) and time length.
      (local.set $r (i32.load $template offset=24 (local.get $lane)))
      (local.set $digits (i32.const 1))
      (local.set $bound (i32.const 10))
      (block $counted
        (loop $count
          (br_if $counted (i32.ge_u (local.get $digits) (i32.const 10)))
          (br_if $counted (i32.lt_u (local.get $line) (local.get $bound)))
          (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
          (local.set $bound (i32.mul (local.get $bound) (i32.const 10)))
          (br $count)))
      (br_if $js (i32.ne (local.get $digits) (i32.load $replies offset=12 (local.get $r))))
      (br_if $js (i32.lt_s (local.get $timeLength) (i32.const 0)))
      (br_if $js (i32.ne (local.get $timeLength) (i32.load $replies offset=20 (local.get $r))))
      ;; Its room (RecordTemplate.write's), within the stage.
      (local.set $form (i32.load $replies offset=24 (local.get $r)))
      (local.set $room
        (i32.add
          (i32.add (i32.load $template offset=32 (local.get $lane)) (i32.load $template offset=36 (local.get $lane)))
          (i32.sub (local.get $rcptEnd) (local.get $rcptStart))))
      (if (i32.eq (local.get $form) (i32.const 3))
        (then (local.set $room (i32.add (local.get $room) (local.get $length)))))
      (if (i32.eq (local.get $form) (i32.const 1))
        (then (local.set $room (i32.add (local.get $room) (i32.mul (local.get $length) (i32.const 6))))))
      (br_if $js (i32.gt_s (i32.add (local.get $out) (local.get $room)) (local.get $limit)))
      (br_if $js
        (i32.ne (call $reply (local.get $start) (local.get $replyEnd) (i32.load $template offset=20 (local.get $lane)))
          (i32.const 1)))
      (local.set $written
        (call $record (local.get $out) (local.get $rcptStart) (local.get $rcptEnd) (local.get $r) (local.get $line)
          (local.get $start) (local.get $replyEnd) (i32.const 1) (i32.load $template offset=28 (local.get $lane))))
      (br_if $js (i32.lt_s (local.get $written) (i32.const 0)))
      (return (local.get $written)))
    (i32.const -1))

  ;; The first $byte in $chunk[$i, $to), or -1: sixteen bytes a compare (SIMD), the last few one by one.
  (func $find (param $byte i32) (param $i i32) (param $to i32) (result i32)
    (local $needle v128) (local $mask i32)
    (local.set $needle (i8x16.splat (local.get $byte)))
    (block $bytewise
      (loop $sixteen
        (br_if $bytewise (i32.gt_s (i32.add (local.get $i) (i32.const 16)) (local.get $to)))
        (local.set $mask (i8x16.bitmask (i8x16.eq (v128.load $chunk (local.get $i)) (local.get $needle))))
        (if (local.get $mask) (then (return (i32.add (local.get $i) (i32.ctz (local.get $mask))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $sixteen)))
    (block $none
      (loop $next
        (br_if $none (i32.ge_s (local.get $i) (local.get $to)))
        (if (i32.eq (i32.load8_u $chunk (local.get $i)) (local.get $byte)) (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; The first `, status=` lying wholly in $chunk[$i, $to), or -1: each comma with room for the rest after
  ;; it, then its next eight bytes at once.
  (func $status (param $i i32) (param $to i32) (result i32)
    (local $at i32)
    (loop $next
      (local.set $at (call $find (i32.const 0x2c) (local.get $i) (i32.sub (local.get $to) (i32.const 8))))
      (if (i32.lt_s (local.get $at) (i32.const 0)) (then (return (i32.const -1))))
      (if (i32.and
            (i64.eq (i64.load $chunk (local.get $at)) (i64.const 0x737574617473202c)) ;; ", status"
            (i32.eq (i32.load8_u $chunk offset=8 (local.get $at)) (i32.const 0x3d))) ;; "="
        (then (return (local.get $at))))
      (local.set $i (i32.add (local.get $at) (i32.const 1)))
      (br $next))
    (i32.const -1))

  ;; The first `: ` starting in $chunk[$i, $end), or -1 (the space may be at $end).
  (func $separator (param $i i32) (param $end i32) (result i32)
    (local $at i32)
    (loop $next
      (local.set $at (call $find (i32.const 58) (local.get $i) (local.get $end)))
      (if (i32.lt_s (local.get $at) (i32.const 0)) (then (return (i32.const -1))))
      (if (i32.eq (i32.load8_u $chunk offset=1 (local.get $at)) (i32.const 32)) (then (return (local.get $at))))
      (local.set $i (i32.add (local.get $at) (i32.const 1)))
      (br $next))
    (i32.const -1))

  ;; The index of the status word $chunk[$start, $end) in postfix.ts's STATUS_WORDS (sent, deferred, bounced,
  ;; expired), or -1.
  (func $word (param $start i32) (param $end i32) (result i32)
    (local $length i32)
    (local.set $length (i32.sub (local.get $end) (local.get $start)))
    (if (i32.eq (local.get $length) (i32.const 4))
      (then (if (i32.eq (i32.load $chunk (local.get $start)) (i32.const 0x746e6573)) ;; "sent"
        (then (return (i32.const 0))))))
    (if (i32.eq (local.get $length) (i32.const 8))
      (then (if (i64.eq (i64.load $chunk (local.get $start)) (i64.const 0x6465727265666564)) ;; "deferred"
        (then (return (i32.const 1))))))
    (if (i32.eq (local.get $length) (i32.const 7))
      (then
        ;; Seven bytes as two overlapping words: [0, 4) and [3, 7).
        (if (i32.and
              (i32.eq (i32.load $chunk (local.get $start)) (i32.const 0x6e756f62)) ;; "boun"
              (i32.eq (i32.load $chunk offset=3 (local.get $start)) (i32.const 0x6465636e))) ;; "nced"
          (then (return (i32.const 2))))
        (if (i32.and
              (i32.eq (i32.load $chunk (local.get $start)) (i32.const 0x69707865)) ;; "expi"
              (i32.eq (i32.load $chunk offset=3 (local.get $start)) (i32.const 0x64657269))) ;; "ired"
          (then (return (i32.const 3))))))
    (i32.const -1))

  ;; PostfixParser.head (postfix.ts) of the line $chunk[$from, $to), read the same way: 0 where the line has
  ;; no queue id; else 1, and its head's eight ints (postfix.ts HEAD_*, positions less $base: the line's
  ;; chunk's start) at 2320 in $template: the queue id's hash, the stamp's end, the tag's start and end, the
  ;; queue id's end, the recipient's end, where `, status=` is and the status word (-1, -1, -2: no
  ;; recipient part; -1 for a recipient's part not found).
  (func $head (export "head") (param $from i32) (param $to i32) (param $base i32) (result i32)
    (local $i i32) (local $c i32) (local $stampEnd i32) (local $hostEnd i32)
    (local $qidStart i32) (local $limit i32) (local $hash i32) (local $body i32) (local $rcptEnd i32)
    (local $statusAt i32) (local $word i32) (local $wordEnd i32)
    (if (i32.ge_s (local.get $from) (local.get $to)) (then (return (i32.const 0))))
    ;; The stamp: an ISO one (a digit first) to its space, or the next after a 10-character date; else
    ;; syslog's 15 characters and a space.
    (local.set $c (i32.load8_u $chunk (local.get $from)))
    (if (i32.and (i32.ge_u (local.get $c) (i32.const 48)) (i32.le_u (local.get $c) (i32.const 57)))
      (then
        (local.set $stampEnd (call $find (i32.const 32) (local.get $from) (local.get $to)))
        (if (i32.eq (local.get $stampEnd) (i32.add (local.get $from) (i32.const 10)))
          (then (local.set $stampEnd
            (call $find (i32.const 32) (i32.add (local.get $stampEnd) (i32.const 1)) (local.get $to)))))
        (if (i32.lt_s (local.get $stampEnd) (i32.const 0)) (then (return (i32.const 0)))))
      (else
        (if (i32.le_s (i32.sub (local.get $to) (local.get $from)) (i32.const 15)) (then (return (i32.const 0))))
        (if (i32.ne (i32.load8_u $chunk offset=15 (local.get $from)) (i32.const 32)) (then (return (i32.const 0))))
        (local.set $stampEnd (i32.add (local.get $from) (i32.const 15)))))
    (local.set $hostEnd (call $find (i32.const 32) (i32.add (local.get $stampEnd) (i32.const 1)) (local.get $to)))
    (if (i32.lt_s (local.get $hostEnd) (i32.const 0)) (then (return (i32.const 0))))
    ;; The tag, to the first `: `, holding a `/`.
    (local.set $i (call $separator (i32.add (local.get $hostEnd) (i32.const 1)) (i32.sub (local.get $to) (i32.const 1))))
    (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.lt_s (call $find (i32.const 47) (i32.add (local.get $hostEnd) (i32.const 1)) (local.get $i)) (i32.const 0))
      (then (return (i32.const 0))))
    (i32.store $template offset=2332 (i32.const 0) (i32.sub (local.get $i) (local.get $base)))
    ;; The queue id, to the next `: `: 5 to 20 characters, no space; hashed (FNV-1).
    (local.set $qidStart (i32.add (local.get $i) (i32.const 2)))
    (local.set $limit (i32.add (local.get $qidStart) (i32.const 21)))
    (if (i32.lt_s (i32.sub (local.get $to) (i32.const 1)) (local.get $limit))
      (then (local.set $limit (i32.sub (local.get $to) (i32.const 1)))))
    (local.set $i (call $separator (local.get $qidStart) (local.get $limit)))
    (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.ge_s (call $find (i32.const 32) (local.get $qidStart) (local.get $i)) (i32.const 0))
      (then (return (i32.const 0))))
    (if (i32.gt_s (i32.sub (local.get $i) (local.get $qidStart)) (i32.const 20)) (then (return (i32.const 0))))
    (if (i32.lt_s (i32.sub (local.get $i) (local.get $qidStart)) (i32.const 5)) (then (return (i32.const 0))))
    (local.set $c (local.get $qidStart))
    (loop $id
      (local.set $hash
        (i32.mul (i32.xor (local.get $hash) (i32.load8_u $chunk (local.get $c))) (i32.const 16777619)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $id (i32.lt_s (local.get $c) (local.get $i))))
    ;; The recipient part after `: `: `to=<`, the recipient to its `>`, then `, status=` and its word.
    (local.set $body (i32.add (local.get $i) (i32.const 2)))
    (local.set $rcptEnd (i32.const -1))
    (local.set $statusAt (i32.const -1))
    (local.set $word (i32.const -2))
    (if (i32.le_s (i32.add (local.get $body) (i32.const 4)) (local.get $to))
      (then (if (i32.eq (i32.load $chunk (local.get $body)) (i32.const 0x3c3d6f74)) ;; "to=<"
        (then
          (local.set $word (i32.const -1))
          (local.set $rcptEnd (call $find (i32.const 62) (i32.add (local.get $body) (i32.const 4)) (local.get $to)))
          (if (i32.ge_s (local.get $rcptEnd) (i32.const 0))
            (then (local.set $statusAt (call $status (local.get $rcptEnd) (local.get $to)))))
          (if (i32.ge_s (local.get $statusAt) (i32.const 0))
            (then
              (local.set $wordEnd
                (call $find (i32.const 32) (i32.add (local.get $statusAt) (i32.const 9)) (local.get $to)))
              (if (i32.lt_s (local.get $wordEnd) (i32.const 0)) (then (local.set $wordEnd (local.get $to))))
              (local.set $word
                (call $word (i32.add (local.get $statusAt) (i32.const 9)) (local.get $wordEnd)))))))))
    (i32.store $template offset=2320 (i32.const 0) (local.get $hash))
    (i32.store $template offset=2324 (i32.const 0) (i32.sub (local.get $stampEnd) (local.get $base)))
    (i32.store $template offset=2328 (i32.const 0) (i32.sub (i32.add (local.get $hostEnd) (i32.const 1)) (local.get $base)))
    (i32.store $template offset=2336 (i32.const 0) (i32.sub (local.get $i) (local.get $base)))
    (if (i32.ge_s (local.get $rcptEnd) (i32.const 0))
      (then (local.set $rcptEnd (i32.sub (local.get $rcptEnd) (local.get $base)))))
    (if (i32.ge_s (local.get $statusAt) (i32.const 0))
      (then (local.set $statusAt (i32.sub (local.get $statusAt) (local.get $base)))))
    (i32.store $template offset=2340 (i32.const 0) (local.get $rcptEnd))
    (i32.store $template offset=2344 (i32.const 0) (local.get $statusAt))
    (i32.store $template offset=2348 (i32.const 0) (local.get $word))
    (i32.const 1))

  ;; line-index.ts indexLines in one call: the lines of $chunk[$from, $last] ($last: a line's LF), at most
  ;; $most, each line's entry written at $entries + 44 × its number in $chunk (line-index.ts ENTRY: eleven
  ;; ints): its start and stop (before CR LF or LF) less $base, its shard and its head as `head` reads it
  ;; (the eight ints it leaves at 2320 in $template). The shard is source.ts shardOf(hash, $shards) where
  ;; `head` reads the line; -2 where it does not (the caller asks its parser: another stamp may have a
  ;; head). $size: the end of the chunk's bytes, where a line's LF is looked for up to. Returns how many.
  (func $lines (export "lines") (param $from i32) (param $last i32) (param $size i32) (param $base i32)
    (param $entries i32) (param $most i32) (param $shards i32) (result i32)
    (local $n i32) (local $end i32) (local $stop i32) (local $e i32)
    (block $done
      (loop $line
        (br_if $done (i32.gt_s (local.get $from) (local.get $last)))
        (br_if $done (i32.ge_s (local.get $n) (local.get $most)))
        (local.set $end (call $lineEnd (local.get $from) (local.get $size)))
        (br_if $done (i32.lt_s (local.get $end) (i32.const 0)))
        (local.set $stop (local.get $end))
        (if (i32.gt_s (local.get $end) (local.get $from))
          (then (if (i32.eq (i32.load8_u $chunk (i32.sub (local.get $end) (i32.const 1))) (i32.const 13))
            (then (local.set $stop (i32.sub (local.get $end) (i32.const 1)))))))
        (local.set $e (i32.add (local.get $entries) (i32.mul (local.get $n) (i32.const 44))))
        (i32.store $chunk (local.get $e) (i32.sub (local.get $from) (local.get $base)))
        (i32.store $chunk offset=4 (local.get $e) (i32.sub (local.get $stop) (local.get $base)))
        (if (call $head (local.get $from) (local.get $stop) (local.get $base))
          (then
            (i64.store $chunk offset=12 (local.get $e) (i64.load $template offset=2320 (i32.const 0)))
            (i64.store $chunk offset=20 (local.get $e) (i64.load $template offset=2328 (i32.const 0)))
            (i64.store $chunk offset=28 (local.get $e) (i64.load $template offset=2336 (i32.const 0)))
            (i64.store $chunk offset=36 (local.get $e) (i64.load $template offset=2344 (i32.const 0)))
            (i32.store $chunk offset=8 (local.get $e)
              (i32.rem_u
                (i32.shr_u (i32.mul (i32.load $template offset=2320 (i32.const 0)) (i32.const 0x9e3779b1)) (i32.const 16))
                (local.get $shards))))
          (else (i32.store $chunk offset=8 (local.get $e) (i32.const -2))))
        (local.set $from (i32.add (local.get $end) (i32.const 1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $line)))
    (local.get $n))

  ;; ReplyMask.matches (reply-key.ts) of a reply in $chunk by a reply template, for an instance whose
  ;; $replies is a ReplyBytes' memory (line-bytes.ts):
  ;;   [0, 256)      the scanner's class flags by byte value (reply-key.ts CLASS: WORD 1, DIGIT 2, HEX 4, LOCAL 8, LOWER 16, UPPER 32)
  ;;   [256, 2304)   out: per token of the reply `reply` matched last, its start and end (from the reply's start;
  ;;                 256 tokens at most, line-bytes.ts REPLY_TOKENS_MAX)
  ;;   [2304, 2368)  the time records take
  ;;   [2368]        the epoch (line-bytes.ts EPOCH_AT: `delivery`'s lanes hold while it is theirs)
  ;;   [4096, 20480) the classes' and probe keys' versions (line-bytes.ts VERSIONS_AT)
  ;;   [20480, 28672) the probe keys' marks, 65,536 bits (line-bytes.ts MARKS_AT); reply templates after them
  ;; A reply template at $t: [t] its token count n; [t + 4 + 4p] piece p's length (p ≤ n); then per token
  ;; its place (byte 0: reply-key.ts WORD_RUN 0, TO_AT 2, UUID_PLACE 3, JOINED_RUN 4, DECIMAL 5, IPV4_PLACE 6,
  ;; DATE_TIME_PLACE 7) and kind (byte 1), four
  ;; bytes each; then the pieces' bytes back to back. (Templates with a TO_SEPARATOR place are never placed.)

  ;; $equal for a reply template's piece: whether $chunk[a, a + n) holds $replies[b, b + n).
  (func $samePiece (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $last i32) (local $i i32)
    (if (i32.lt_u (local.get $n) (i32.const 8))
      (then
        (loop $byte
          (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
          (if (i32.ne (i32.load8_u $chunk (local.get $a)) (i32.load8_u $replies (local.get $b)))
            (then (return (i32.const 0))))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $byte))
        (unreachable)))
    (local.set $last (i32.sub (local.get $n) (i32.const 8)))
    (block $words
      (loop $word
        (br_if $words (i32.ge_u (local.get $i) (local.get $last)))
        (if (i64.ne (i64.load $chunk (i32.add (local.get $a) (local.get $i)))
                    (i64.load $replies (i32.add (local.get $b) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $word)))
    (i64.eq (i64.load $chunk (i32.add (local.get $a) (local.get $last)))
            (i64.load $replies (i32.add (local.get $b) (local.get $last)))))

  ;; The class flags of byte $c.
  (func $class (param $c i32) (result i32)
    (i32.load8_u $replies (local.get $c)))

  ;; Whether $chunk[$i] is a separator (reply-key.ts separator: no word or local-part character, `:`, `@`).
  (func $apart (param $i i32) (result i32)
    (local $c i32)
    (local.set $c (i32.load8_u $chunk (local.get $i)))
    (i32.and
      (i32.eqz (i32.and (call $class (local.get $c)) (i32.const 9)))
      (i32.and (i32.ne (local.get $c) (i32.const 58)) (i32.ne (local.get $c) (i32.const 64)))))

  ;; reply-key.ts uuidAt: whether $chunk[$at, $to) starts with 8-4-4-4-12 hex digits followed by a
  ;; separator or $to.
  (func $uuid (param $at i32) (param $to i32) (result i32)
    (local $end i32) (local $i i32) (local $all i32) (local $c i32)
    (local.set $end (i32.add (local.get $at) (i32.const 36)))
    (if (i32.gt_s (local.get $end) (local.get $to)) (then (return (i32.const 0))))
    (if (i32.lt_s (local.get $end) (local.get $to))
      (then (if (i32.eqz (call $apart (local.get $end))) (then (return (i32.const 0))))))
    (local.set $all (i32.const 4))
    (loop $next
      (local.set $c (i32.load8_u $chunk (i32.add (local.get $at) (local.get $i))))
      (if (i32.or
            (i32.or (i32.eq (local.get $i) (i32.const 8)) (i32.eq (local.get $i) (i32.const 13)))
            (i32.or (i32.eq (local.get $i) (i32.const 18)) (i32.eq (local.get $i) (i32.const 23))))
        (then (if (i32.ne (local.get $c) (i32.const 45)) (then (return (i32.const 0)))))
        (else (local.set $all (i32.and (local.get $all) (call $class (local.get $c))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_s (local.get $i) (i32.const 36))))
    (i32.ne (local.get $all) (i32.const 0)))

  ;; The end of a place $chunk[$at, …) of $parts runs of 1 to $most digits joined by `.`, followed by a separator
  ;; or $to, else -1: reply-key.ts DECIMAL (2 parts, any length: the NUMBER tokensIn finds there) and IPV4_PLACE
  ;; (4 parts of 1 to 3 digits: the IPv4 address compound finds there).
  (func $dotted (param $at i32) (param $to i32) (param $parts i32) (param $most i32) (result i32)
    (local $end i32) (local $part i32)
    (local.set $end (local.get $at))
    (loop $next
      (local.set $part (local.get $end))
      (block $digits
        (loop $scan
          (br_if $digits (i32.ge_s (local.get $end) (local.get $to)))
          (br_if $digits (i32.ge_s (i32.sub (local.get $end) (local.get $part)) (local.get $most)))
          (br_if $digits (i32.eqz (i32.and (call $class (i32.load8_u $chunk (local.get $end))) (i32.const 2))))
          (local.set $end (i32.add (local.get $end) (i32.const 1)))
          (br $scan)))
      (if (i32.eq (local.get $end) (local.get $part)) (then (return (i32.const -1))))
      (local.set $parts (i32.sub (local.get $parts) (i32.const 1)))
      ;; Before each part but the first its `.`.
      (if (local.get $parts)
        (then
          (if (i32.ge_s (local.get $end) (local.get $to)) (then (return (i32.const -1))))
          (if (i32.ne (i32.load8_u $chunk (local.get $end)) (i32.const 46)) (then (return (i32.const -1))))
          (local.set $end (i32.add (local.get $end) (i32.const 1)))
          (br $next))))
    (if (i32.lt_s (local.get $end) (local.get $to))
      (then (if (i32.eqz (call $apart (local.get $end))) (then (return (i32.const -1))))))
    (local.get $end))

  ;; The end of $n digits at $chunk[$at] (before $to), else -1 (reply-key.ts run(…, DIGIT, n, n)).
  (func $digitsOf (param $at i32) (param $to i32) (param $n i32) (result i32)
    (local $end i32)
    (if (i32.lt_s (local.get $at) (i32.const 0)) (then (return (i32.const -1))))
    (local.set $end (i32.add (local.get $at) (local.get $n)))
    (if (i32.gt_s (local.get $end) (local.get $to)) (then (return (i32.const -1))))
    (block $no
      (loop $next
        (br_if $no (i32.eqz (i32.and (call $class (i32.load8_u $chunk (local.get $at))) (i32.const 2))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br_if $next (i32.lt_s (local.get $at) (local.get $end))))
      (return (local.get $end)))
    (i32.const -1))

  ;; The end of $digitsOf($at + 1) when $chunk[$at] is $c, else -1.
  (func $afterByte (param $at i32) (param $to i32) (param $c i32) (param $n i32) (result i32)
    (if (i32.or (i32.lt_s (local.get $at) (i32.const 0)) (i32.ge_s (local.get $at) (local.get $to)))
      (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u $chunk (local.get $at)) (local.get $c)) (then (return (i32.const -1))))
    (call $digitsOf (i32.add (local.get $at) (i32.const 1)) (local.get $to) (local.get $n)))

  ;; reply-key.ts DATE_TIME_PLACE: the end of a place $chunk[$at, …) holding an RFC 3339 date-time alone
  ;; (`yyyy-mm-ddThh:mm:ss`, a fraction, a zone `Z`, `±hh:mm` or `±hhmm`), each part as compound and dateTimeEnd
  ;; read it, followed by a separator or $to; else -1 (the scanner decides: e.g. a zone cut short).
  (func $dateTime (param $at i32) (param $to i32) (result i32)
    (local $end i32) (local $c i32) (local $zone i32)
    (local.set $end (call $digitsOf (local.get $at) (local.get $to) (i32.const 4)))
    (local.set $end (call $afterByte (local.get $end) (local.get $to) (i32.const 45) (i32.const 2)))
    (local.set $end (call $afterByte (local.get $end) (local.get $to) (i32.const 45) (i32.const 2)))
    (if (i32.or (i32.lt_s (local.get $end) (i32.const 0)) (i32.ge_s (local.get $end) (local.get $to)))
      (then (return (i32.const -1))))
    (if (i32.ne (i32.or (i32.load8_u $chunk (local.get $end)) (i32.const 32)) (i32.const 116))
      (then (return (i32.const -1))))
    (local.set $end (call $digitsOf (i32.add (local.get $end) (i32.const 1)) (local.get $to) (i32.const 2)))
    (local.set $end (call $afterByte (local.get $end) (local.get $to) (i32.const 58) (i32.const 2)))
    (local.set $end (call $afterByte (local.get $end) (local.get $to) (i32.const 58) (i32.const 2)))
    (if (i32.lt_s (local.get $end) (i32.const 0)) (then (return (i32.const -1))))
    ;; A fraction: `.` and digits.
    (if (i32.ge_s (call $afterByte (local.get $end) (local.get $to) (i32.const 46) (i32.const 1)) (i32.const 0))
      (then
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (loop $digits
          (if (i32.lt_s (local.get $end) (local.get $to))
            (then
              (if (i32.and (call $class (i32.load8_u $chunk (local.get $end))) (i32.const 2))
                (then
                  (local.set $end (i32.add (local.get $end) (i32.const 1)))
                  (br $digits))))))))
    ;; A zone.
    (if (i32.lt_s (local.get $end) (local.get $to))
      (then
        (local.set $c (i32.load8_u $chunk (local.get $end)))
        (if (i32.eq (i32.or (local.get $c) (i32.const 32)) (i32.const 122))
          (then (local.set $end (i32.add (local.get $end) (i32.const 1))))
          (else
            (if (i32.or (i32.eq (local.get $c) (i32.const 43)) (i32.eq (local.get $c) (i32.const 45)))
              (then
                (local.set $zone (call $digitsOf (i32.add (local.get $end) (i32.const 1)) (local.get $to) (i32.const 2)))
                (if (i32.ge_s (local.get $zone) (i32.const 0))
                  (then
                    (local.set $zone
                      (if (result i32)
                          (i32.and (i32.lt_s (local.get $zone) (local.get $to))
                            (i32.eq (i32.load8_u $chunk (local.get $zone)) (i32.const 58)))
                        (then (call $digitsOf (i32.add (local.get $zone) (i32.const 1)) (local.get $to) (i32.const 2)))
                        (else (call $digitsOf (local.get $zone) (local.get $to) (i32.const 2)))))
                    (if (i32.ge_s (local.get $zone) (i32.const 0)) (then (local.set $end (local.get $zone))))))))))))
    (if (i32.lt_s (local.get $end) (local.get $to))
      (then (if (i32.eqz (call $apart (local.get $end))) (then (return (i32.const -1))))))
    (local.get $end))

  ;; reply-key.ts unitAt: whether the word of digits ending at $end (before $to) is followed by a space and a
  ;; unit word (reply-key.ts UNITS, here as their bytes little-endian: bytes, octets, KB, kB, MB, GB, ms, seconds, second, secs, sec) followed by $to or
  ;; a character that is no word or local-part character nor `@`.
  (func $unitAt (param $end i32) (param $to i32) (result i32)
    (local $k i32) (local $word i64) (local $c i32)
    (if (i32.ge_s (i32.add (local.get $end) (i32.const 2)) (local.get $to)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u $chunk (local.get $end)) (i32.const 32)) (then (return (i32.const 0))))
    (local.set $k (i32.add (local.get $end) (i32.const 1)))
    (block $letters
      (loop $scan
        (br_if $letters (i32.ge_s (local.get $k) (local.get $to)))
        (local.set $c (i32.load8_u $chunk (local.get $k)))
        (br_if $letters (i32.eqz (i32.and (call $class (local.get $c)) (i32.const 48))))
        ;; No unit is longer than 7 letters.
        (if (i32.ge_s (i32.sub (local.get $k) (local.get $end)) (i32.const 8)) (then (return (i32.const 0))))
        (local.set $word (i64.or (local.get $word)
          (i64.shl (i64.extend_i32_u (local.get $c)) (i64.extend_i32_u (i32.shl (i32.sub (i32.sub (local.get $k) (local.get $end)) (i32.const 1)) (i32.const 3))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $scan)))
    (if (i32.lt_s (local.get $k) (local.get $to))
      (then
        (local.set $c (i32.load8_u $chunk (local.get $k)))
        (if (i32.or (i32.ne (i32.and (call $class (local.get $c)) (i32.const 9)) (i32.const 0)) (i32.eq (local.get $c) (i32.const 64)))
          (then (return (i32.const 0))))))
    (i32.or (i64.eq (local.get $word) (i64.const 495623371106))
      (i32.or (i64.eq (local.get $word) (i64.const 126943755527023))
      (i32.or (i64.eq (local.get $word) (i64.const 16971))
      (i32.or (i64.eq (local.get $word) (i64.const 17003))
      (i32.or (i64.eq (local.get $word) (i64.const 16973))
      (i32.or (i64.eq (local.get $word) (i64.const 16967))
      (i32.or (i64.eq (local.get $word) (i64.const 29549))
      (i32.or (i64.eq (local.get $word) (i64.const 32480047799690611))
      (i32.or (i64.eq (local.get $word) (i64.const 110425477965171))
      (i32.or (i64.eq (local.get $word) (i64.const 1935893875))
      (i64.eq (local.get $word) (i64.const 6514035)))))))))))))

  ;; reply-key.ts labelAt: what follows the word ending at $end (before $to): 0 no `.`, 1 a `.`, 2 a `.` and a
  ;; word character.
  (func $labelAt (param $end i32) (param $to i32) (result i32)
    (if (i32.ge_s (local.get $end) (local.get $to)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u $chunk (local.get $end)) (i32.const 46)) (then (return (i32.const 0))))
    (if (i32.ge_s (i32.add (local.get $end) (i32.const 1)) (local.get $to)) (then (return (i32.const 1))))
    (select (i32.const 2) (i32.const 1)
      (i32.ne (i32.and (call $class (i32.load8_u $chunk (i32.add (local.get $end) (i32.const 1)))) (i32.const 1)) (i32.const 0))))

  ;; reply-key.ts lettersThenDigits: whether the word $chunk[$from, $to) is lower-case letters, then digits.
  (func $lettersThenDigits (param $from i32) (param $to i32) (result i32)
    (local $flags i32) (local $digit i32)
    (if (i32.eqz (i32.and (call $class (i32.load8_u $chunk (local.get $from))) (i32.const 16)))
      (then (return (i32.const 0))))
    (loop $next
      (local.set $flags (call $class (i32.load8_u $chunk (local.get $from))))
      (if (i32.and (local.get $flags) (i32.const 2))
        (then (local.set $digit (i32.const 1)))
        (else (if (i32.or (local.get $digit) (i32.eqz (i32.and (local.get $flags) (i32.const 16))))
          (then (return (i32.const 0))))))
      (local.set $from (i32.add (local.get $from) (i32.const 1)))
      (br_if $next (i32.lt_s (local.get $from) (local.get $to))))
    (local.get $digit))

  ;; reply-key.ts wordKind: the kind of token the word $chunk[$from, $to) is by itself (its label: labelAt; $unit:
  ;; a number before its unit word, unitAt), -1 for none.
  (func $wordKind (param $from i32) (param $to i32) (param $digits i32) (param $all i32) (param $label i32) (param $unit i32) (result i32)
    (local $hex i32) (local $length i32) (local $i i32) (local $flags i32) (local $previous i32) (local $any i32)
    (local.set $length (i32.sub (local.get $to) (local.get $from)))
    ;; A number before its unit word (reply-key.ts unitAt): a measurement (NUMBER 5).
    (if (local.get $unit) (then (return (i32.const 5))))
    (local.set $hex (i32.and (local.get $all) (i32.const 4)))
    (if (i32.and (i32.ne (local.get $hex) (i32.const 0)) (i32.ge_s (local.get $length) (i32.const 8)))
      (then (return (i32.const 1))))
    (if (i32.and
          (i32.and (i32.ne (local.get $label) (i32.const 0)) (i32.ne (local.get $hex) (i32.const 0)))
          (i32.and (i32.gt_s (local.get $digits) (i32.const 0)) (i32.ge_s (local.get $length) (i32.const 6))))
      (then (return (i32.const 1))))
    (if (i32.and (i32.eq (local.get $digits) (local.get $length)) (i32.ge_s (local.get $length) (i32.const 6)))
      (then (return (i32.const 5))))
    (if (i32.or (i32.eqz (local.get $digits)) (i32.eq (local.get $digits) (local.get $length)))
      (then (return (i32.const -1))))
    ;; A word with an underscore: a base-64 id where it holds both cases (LOWER 16, UPPER 32).
    (if (i32.eqz (i32.and (local.get $all) (i32.const 1)))
      (then
        (local.set $i (local.get $from))
        (loop $or
          (local.set $any (i32.or (local.get $any) (call $class (i32.load8_u $chunk (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $or (i32.lt_s (local.get $i) (local.get $to))))
        (return (select (i32.const 1) (i32.const -1) (i32.eq (i32.and (local.get $any) (i32.const 48)) (i32.const 48))))))
    (if (i32.ge_s (local.get $length) (i32.const 12)) (then (return (i32.const 1))))
    ;; reply-key.ts letterAfterDigit (a word of 6 or more).
    (if (i32.ge_s (local.get $length) (i32.const 6))
      (then
        (local.set $i (local.get $from))
        (loop $next
          (local.set $flags (call $class (i32.load8_u $chunk (local.get $i))))
          (if (i32.and
                (i32.ne (i32.and (local.get $previous) (i32.const 2)) (i32.const 0))
                (i32.eqz (i32.and (local.get $flags) (i32.const 2))))
            (then (return (i32.const 1))))
          (local.set $previous (local.get $flags))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_s (local.get $i) (local.get $to))))))
    ;; A host's label (HOST_LABEL 7) before more of the name.
    (if (i32.and (i32.eq (local.get $label) (i32.const 2)) (call $lettersThenDigits (local.get $from) (local.get $to)))
      (then (return (i32.const 7))))
    (i32.const -1))

  ;; reply-key.ts id128End: the end of a 128-bit id at $at (22 base64url characters with its `.`-joined words: a digit,
  ;; or a lower-case letter before an upper-case one) where one starts there and stands alone (no base64url character,
  ;; `.` or `@` before it, at or after $from; after it none of those nor a local-part one: LOCAL 8 or `@`) and each
  ;; piece of its run between cuts (`-`, `_`) holds a digit; -2 where one with a piece of letters only may start there
  ;; (the scanner decides: rule-words.ts), else -1.
  (func $id128End (param $at i32) (param $from i32) (param $to i32) (result i32)
    (local $run i32) (local $k i32) (local $c i32) (local $flags i32) (local $inPiece i32) (local $pieceDigit i32)
    (local $wordy i32)
    (local $end i32) (local $j i32) (local $lower i32) (local $varies i32)
    (local.set $run (i32.add (local.get $at) (i32.const 22)))
    (if (i32.gt_s (local.get $run) (local.get $to)) (then (return (i32.const -1))))
    ;; A run that goes on past its 22nd character is none (the end's check below, without the loop): a shorter word
    ;; followed by `-` tried as one (Gmail's `<13 hex>-<…>si<…>` ids) is mostly such a run.
    (if (i32.lt_s (local.get $run) (local.get $to))
      (then
        (local.set $c (i32.load8_u $chunk (local.get $run)))
        (if (i32.and (i32.ne (local.get $c) (i32.const 46))
              (i32.or (i32.ne (i32.and (call $class (local.get $c)) (i32.const 8)) (i32.const 0)) (i32.eq (local.get $c) (i32.const 64))))
          (then (return (i32.const -1))))))
    (if (i32.gt_s (local.get $at) (local.get $from))
      (then
        (local.set $c (i32.load8_u $chunk (i32.sub (local.get $at) (i32.const 1))))
        ;; reply-key.ts ID_NEIGHBOUR: a word character, `-`, `.`, `@`, `:` or `+` (review R132).
        (if (i32.or (i32.and (call $class (local.get $c)) (i32.const 1))
              (i32.or (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 58)))
                (i32.or (i32.or (i32.eq (local.get $c) (i32.const 46)) (i32.eq (local.get $c) (i32.const 43)))
                  (i32.eq (local.get $c) (i32.const 64)))))
          (then (return (i32.const -1))))))
    (local.set $k (local.get $at))
    (loop $next
      (local.set $c (i32.load8_u $chunk (local.get $k)))
      (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 95)))
        (then
          ;; A piece between cuts (`-`, `_`; not empty) without a digit: an id only if it holds no word the
          ;; classifier reads (rule-words.ts holdsRuleWord), which the scanner decides.
          (if (i32.and (local.get $inPiece) (i32.eqz (local.get $pieceDigit))) (then (local.set $wordy (i32.const 1))))
          (local.set $inPiece (i32.const 0))
          (local.set $pieceDigit (i32.const 0)))
        (else
          (local.set $flags (call $class (local.get $c)))
          (if (i32.eqz (i32.and (local.get $flags) (i32.const 1))) (then (return (i32.const -1))))
          (local.set $inPiece (i32.const 1))
          (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set $pieceDigit (i32.const 1))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $next (i32.lt_s (local.get $k) (local.get $run))))
    (if (i32.and (local.get $inPiece) (i32.eqz (local.get $pieceDigit))) (then (local.set $wordy (i32.const 1))))
    (local.set $end (local.get $run))
    (block $joined
      (loop $join
        (br_if $joined (i32.ge_s (i32.add (local.get $end) (i32.const 1)) (local.get $to)))
        (br_if $joined (i32.ne (i32.load8_u $chunk (local.get $end)) (i32.const 46)))
        (local.set $j (i32.add (local.get $end) (i32.const 1)))
        (local.set $lower (i32.const 0))
        (local.set $varies (i32.const 0))
        (block $word
          (loop $scan
            (br_if $word (i32.ge_s (local.get $j) (local.get $to)))
            (local.set $flags (call $class (i32.load8_u $chunk (local.get $j))))
            (br_if $word (i32.eqz (i32.and (local.get $flags) (i32.const 1))))
            (if (i32.and (local.get $flags) (i32.const 2))
              (then (local.set $varies (i32.const 1)))
              (else (if (i32.and (local.get $flags) (i32.const 16))
                (then (local.set $lower (i32.const 1)))
                (else (if (i32.and (local.get $lower) (i32.ne (i32.and (local.get $flags) (i32.const 32)) (i32.const 0)))
                  (then (local.set $varies (i32.const 1))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $scan)))
        (br_if $joined (i32.eqz (local.get $varies)))
        (local.set $end (local.get $j))
        (br $join)))
    (if (i32.lt_s (local.get $end) (local.get $to))
      (then
        (local.set $c (i32.load8_u $chunk (local.get $end)))
        (if (i32.or (i32.and (call $class (local.get $c)) (i32.const 8)) (i32.eq (local.get $c) (i32.const 64)))
          (then (return (i32.const -1))))))
    (select (i32.const -2) (local.get $end) (local.get $wordy)))

  ;; reply-key.ts joinedEnd: the end of the words joined to a token ending at $end, before $to (after a `-` an id's
  ;; piece, $idPiece; after a `.` one holding a digit, or a lower-case letter before an upper-case one).
  (func $joinedEnd (param $end i32) (param $to i32) (result i32)
    (local $c i32) (local $j i32) (local $flags i32) (local $lower i32) (local $varies i32) (local $digit i32) (local $digits i32)
    (block $joined
      (loop $join
        (br_if $joined (i32.ge_s (i32.add (local.get $end) (i32.const 1)) (local.get $to)))
        (local.set $c (i32.load8_u $chunk (local.get $end)))
        (br_if $joined (i32.and (i32.ne (local.get $c) (i32.const 45)) (i32.ne (local.get $c) (i32.const 46))))
        (local.set $j (i32.add (local.get $end) (i32.const 1)))
        (local.set $lower (i32.const 0))
        (local.set $varies (i32.const 0))
        (local.set $digit (i32.const 0))
        (local.set $digits (i32.const 0))
        (if (i32.eq (local.get $c) (i32.const 45))
          (then
            ;; After a `-` only an id's piece (review R99: `<id>-mailbox-not-found` keeps its words): $idPiece's
            ;; answer read in the same pass over the word ($varies: a letter as idPiece wants it, $digits: a digit).
            (block $piece
              (loop $scan
                (br_if $piece (i32.ge_s (local.get $j) (local.get $to)))
                (local.set $flags (call $class (i32.load8_u $chunk (local.get $j))))
                (br_if $piece (i32.eqz (i32.and (local.get $flags) (i32.const 1))))
                (if (i32.or
                      (i32.ne (i32.and (local.get $flags) (i32.const 16)) (i32.const 0))
                      (i32.and (local.get $digit) (i32.ne (i32.and (local.get $flags) (i32.const 32)) (i32.const 0))))
                  (then (local.set $varies (i32.const 1))))
                (local.set $digit (i32.ne (i32.and (local.get $flags) (i32.const 2)) (i32.const 0)))
                (local.set $digits (i32.or (local.get $digits) (local.get $digit)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $scan)))
            (local.set $varies (i32.and (local.get $varies) (local.get $digits))))
          (else
            (block $word
              (loop $scan
                (br_if $word (i32.ge_s (local.get $j) (local.get $to)))
                (local.set $flags (call $class (i32.load8_u $chunk (local.get $j))))
                (br_if $word (i32.eqz (i32.and (local.get $flags) (i32.const 1))))
                (if (i32.and (local.get $flags) (i32.const 2))
                  (then (local.set $varies (i32.const 1)))
                  (else (if (i32.and (local.get $flags) (i32.const 16))
                    (then (local.set $lower (i32.const 1)))
                    (else (if (i32.and (local.get $lower) (i32.ne (i32.and (local.get $flags) (i32.const 32)) (i32.const 0)))
                      (then (local.set $varies (i32.const 1))))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $scan)))))
        (br_if $joined (i32.or (i32.eqz (local.get $varies)) (i32.eq (local.get $j) (i32.add (local.get $end) (i32.const 1)))))
        (local.set $end (local.get $j))
        (br $join)))
    (local.get $end))

  ;; reply-key.ts dashJoinedId: where the word that is an id alone ($wordKind PERCENT 1, read with no label and no
  ;; unit) ends, that the word $chunk[$from, $end) (before $to) is joined to by `-`, it and the words joined between
  ;; them ids' pieces ($idPiece); the last such word; -1 where there is none.
  (func $dashJoinedId (param $from i32) (param $end i32) (param $to i32) (result i32)
    (local $start i32) (local $digits i32) (local $all i32) (local $c i32) (local $flags i32) (local $found i32)
    (local $digit i32) (local $lettered i32)
    (if (i32.eqz (call $idPiece (local.get $from) (local.get $end))) (then (return (i32.const -1))))
    (local.set $found (i32.const -1))
    (block $none
      (loop $chain
        (br_if $none (i32.ge_s (i32.add (local.get $end) (i32.const 1)) (local.get $to)))
        (br_if $none (i32.ne (i32.load8_u $chunk (local.get $end)) (i32.const 45)))
        (br_if $none (i32.eqz (i32.and (call $class (i32.load8_u $chunk (i32.add (local.get $end) (i32.const 1)))) (i32.const 1))))
        (local.set $start (i32.add (local.get $end) (i32.const 1)))
        (local.set $end (local.get $start))
        (local.set $digits (i32.const 0))
        (local.set $all (i32.const 5))
        (local.set $digit (i32.const 0))
        (local.set $lettered (i32.const 0))
        (block $word
          (loop $scan
            (br_if $word (i32.ge_s (local.get $end) (local.get $to)))
            (local.set $c (i32.load8_u $chunk (local.get $end)))
            (local.set $flags (call $class (local.get $c)))
            (br_if $word (i32.eqz (i32.and (local.get $flags) (i32.const 1))))
            (local.set $digits (i32.add (local.get $digits) (i32.shr_u (i32.and (local.get $flags) (i32.const 2)) (i32.const 1))))
            (local.set $all (i32.and (local.get $all)
              (select (i32.const 0) (local.get $flags) (i32.eq (local.get $c) (i32.const 95)))))
            ;; $idPiece's answer read in the same pass (a lower-case letter, or an upper-case one after a digit).
            (local.set $lettered (i32.or (local.get $lettered)
              (i32.or (i32.ne (i32.and (local.get $flags) (i32.const 16)) (i32.const 0))
                (i32.and (local.get $digit) (i32.ne (i32.and (local.get $flags) (i32.const 32)) (i32.const 0))))))
            (local.set $digit (i32.ne (i32.and (local.get $flags) (i32.const 2)) (i32.const 0)))
            (local.set $end (i32.add (local.get $end) (i32.const 1)))
            (br $scan)))
        (if (i32.eq
              (call $wordKind (local.get $start) (local.get $end) (local.get $digits) (local.get $all) (i32.const 0) (i32.const 0))
              (i32.const 1))
          (then (local.set $found (local.get $end))))
        (br_if $none (i32.eqz (i32.and (i32.ne (local.get $digits) (i32.const 0)) (local.get $lettered))))
        (br $chain)))
    (local.get $found))

  ;; reply-key.ts eximIdEnd: the end of an Exim message id whose first part (6 letters and digits holding a digit)
  ;; ends at $end: `-`, 6 or 11 letters and digits holding a digit, `-`, 2 or 4 of them (-1: none).
  (func $eximIdEnd (param $end i32) (param $to i32) (result i32)
    (local $middle i32) (local $length i32) (local $last i32)
    (if (i32.or (i32.ge_s (i32.add (local.get $end) (i32.const 1)) (local.get $to))
          (i32.ne (i32.load8_u $chunk (local.get $end)) (i32.const 45)))
      (then (return (i32.const -1))))
    (local.set $middle (call $alnumEnd (i32.add (local.get $end) (i32.const 1)) (local.get $to) (i32.const 1)))
    (local.set $length (i32.sub (i32.sub (local.get $middle) (local.get $end)) (i32.const 1)))
    (if (i32.and (i32.ne (local.get $length) (i32.const 6)) (i32.ne (local.get $length) (i32.const 11)))
      (then (return (i32.const -1))))
    (if (i32.or (i32.ge_s (i32.add (local.get $middle) (i32.const 1)) (local.get $to))
          (i32.ne (i32.load8_u $chunk (local.get $middle)) (i32.const 45)))
      (then (return (i32.const -1))))
    (local.set $last (call $alnumEnd (i32.add (local.get $middle) (i32.const 1)) (local.get $to) (i32.const 0)))
    (if (result i32)
        (i32.eq (i32.sub (i32.sub (local.get $last) (local.get $middle)) (i32.const 1))
          (select (i32.const 2) (i32.const 4) (i32.eq (local.get $length) (i32.const 6))))
      (then (local.get $last))
      (else (i32.const -1))))

  ;; reply-key.ts alnumEnd: the end of the word at $from (letters, digits, underscores) where it is letters and
  ;; digits only, holding a digit if $digit says so; else -1.
  (func $alnumEnd (param $from i32) (param $to i32) (param $digit i32) (result i32)
    (local $c i32) (local $flags i32) (local $digits i32)
    (local.set $digits (i32.eqz (local.get $digit)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $from) (local.get $to)))
        (local.set $c (i32.load8_u $chunk (local.get $from)))
        (local.set $flags (call $class (local.get $c)))
        (br_if $done (i32.eqz (i32.and (local.get $flags) (i32.const 1))))
        (if (i32.eq (local.get $c) (i32.const 95)) (then (return (i32.const -1))))
        (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set $digits (i32.const 1))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $next)))
    (select (local.get $from) (i32.const -1) (local.get $digits)))

  ;; reply-key.ts idPiece: whether the word $chunk[$from, $to) holds a digit (DIGIT 2), and a lower-case letter
  ;; (LOWER 16) or an upper-case one (UPPER 32) after a digit.
  (func $idPiece (param $from i32) (param $to i32) (result i32)
    (local $flags i32) (local $digit i32) (local $digits i32) (local $lettered i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $from) (local.get $to)))
        (local.set $flags (call $class (i32.load8_u $chunk (local.get $from))))
        (if (i32.or
              (i32.ne (i32.and (local.get $flags) (i32.const 16)) (i32.const 0))
              (i32.and (local.get $digit) (i32.ne (i32.and (local.get $flags) (i32.const 32)) (i32.const 0))))
          (then (local.set $lettered (i32.const 1))))
        (local.set $digit (i32.ne (i32.and (local.get $flags) (i32.const 2)) (i32.const 0)))
        (local.set $digits (i32.or (local.get $digits) (local.get $digit)))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $next)))
    (i32.and (local.get $digits) (local.get $lettered)))

  ;; Whether local-part characters (LOCAL 8) from $end up to $to run into an `@`.
  (func $atAfter (param $end i32) (param $to i32) (result i32)
    (local $c i32)
    (block $local
      (loop $more
        (br_if $local (i32.ge_s (local.get $end) (local.get $to)))
        (local.set $c (i32.load8_u $chunk (local.get $end)))
        (if (i32.eq (local.get $c) (i32.const 64)) (then (return (i32.const 1))))
        (br_if $local (i32.eqz (i32.and (call $class (local.get $c)) (i32.const 8))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $more)))
    (i32.const 0))

  ;; `reply`'s answer where the reply parts from its template at token $i's literal piece ($place 0) or its place
  ;; ($place 1), which starts at $at: 3 + 2 × $i + $place. A place's start is left at 256 + 8 × $i (a piece's is
  ;; the end of the token before it, left there, or $from): ReplyMask.matches goes on from there, not from the start.
  (func $partedAt (param $i i32) (param $place i32) (param $at i32) (param $from i32) (result i32)
    (if (local.get $place)
      (then (i32.store $replies offset=256 (i32.shl (local.get $i) (i32.const 3)) (i32.sub (local.get $at) (local.get $from)))))
    (i32.add (i32.const 3) (i32.add (i32.shl (local.get $i) (i32.const 1)) (local.get $place))))

  ;; Whether the reply $chunk[$from, $to) has the masked form of the template at $t (ReplyMask.matches, the
  ;; same answer): 1, and its tokens' places at 256 in $replies; 0 where it has not and goes on after the
  ;; template's end; 3 or more where it parts from it earlier (see $partedAt); 2 where a UUID's place
  ;; holds no UUID, a joined run's place starts with a word that may start a compound, a place's word is digits
  ;; before a `.`, or a decimal's (an IPv4 address's, a date-time's) place holds no decimal (address, date-time) alone
  ;; (matches decides it then).
  (func $reply (export "reply") (param $from i32) (param $to i32) (param $t i32) (result i32)
    (local $n i32) (local $piece i32) (local $token i32) (local $literal i32) (local $at i32) (local $i i32)
    (local $length i32) (local $place i32) (local $end i32) (local $digits i32) (local $all i32)
    (local $flags i32) (local $c i32) (local $kind i32) (local $idEnd i32)
    (local.set $n (i32.load $replies (local.get $t)))
    (local.set $piece (i32.add (local.get $t) (i32.const 4)))
    (local.set $token (i32.add (local.get $piece) (i32.shl (i32.add (local.get $n) (i32.const 1)) (i32.const 2))))
    (local.set $literal (i32.add (local.get $token) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $at (local.get $from))
    (block $done
      (loop $next
        ;; Literal piece $i, as it is.
        (local.set $length (i32.load $replies (local.get $piece)))
        (if (i32.gt_s (local.get $length) (i32.sub (local.get $to) (local.get $at))) (then (return (call $partedAt (local.get $i) (i32.const 0) (local.get $at) (local.get $from)))))
        (if (i32.eqz (call $samePiece (local.get $at) (local.get $literal) (local.get $length)))
          (then (return (call $partedAt (local.get $i) (i32.const 0) (local.get $at) (local.get $from)))))
        (local.set $at (i32.add (local.get $at) (local.get $length)))
        (local.set $literal (i32.add (local.get $literal) (local.get $length)))
        (br_if $done (i32.eq (local.get $i) (local.get $n)))
        ;; Token $i's place.
        (local.set $place (i32.load8_u $replies (local.get $token)))
        (if (i32.ge_u (local.get $place) (i32.const 5))
          (then
            ;; A decimal fraction's place: digits, `.`, digits up to a separator; an IPv4 address's: four parts of
            ;; 1 to 3 digits joined by `.` up to a separator; a date-time's: one alone up to a separator; any other
            ;; the scanner decides.
            (local.set $end
              (if (result i32) (i32.eq (local.get $place) (i32.const 7))
                (then (call $dateTime (local.get $at) (local.get $to)))
                (else (if (result i32) (i32.eq (local.get $place) (i32.const 5))
                  (then (call $dotted (local.get $at) (local.get $to) (i32.const 2) (i32.const 0x7fffffff)))
                  (else (call $dotted (local.get $at) (local.get $to) (i32.const 4) (i32.const 3)))))))
            (if (i32.lt_s (local.get $end) (i32.const 0)) (then (return (i32.const 2))))
            ;; reply-key.ts tokensIn: a decimal's whole part of 22 digits may be a 128-bit id's run (id128End).
            (if (i32.eq (local.get $place) (i32.const 5))
              (then (if (i32.ne (call $id128End (local.get $at) (local.get $from) (local.get $to)) (i32.const -1))
                (then (return (i32.const 2)))))))
        (else (if (i32.eq (local.get $place) (i32.const 3))
          (then
            (if (i32.eqz (call $uuid (local.get $at) (local.get $to))) (then (return (i32.const 2))))
            (local.set $end (i32.add (local.get $at) (i32.const 36))))
          (else (if (i32.eq (local.get $place) (i32.const 2))
            (then
              ;; A local part: a word character, then local-part characters up to the next `@`.
              (local.set $end (local.get $at))
              (local.set $all (i32.const 8))
              (block $found
                (loop $scan
                  (if (i32.ge_s (local.get $end) (local.get $to)) (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
                  (local.set $c (i32.load8_u $chunk (local.get $end)))
                  (br_if $found (i32.eq (local.get $c) (i32.const 64)))
                  (local.set $all (i32.and (local.get $all) (call $class (local.get $c))))
                  (local.set $end (i32.add (local.get $end) (i32.const 1)))
                  (br $scan)))
              (if (i32.or (i32.eq (local.get $end) (local.get $at)) (i32.eqz (local.get $all)))
                (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
              (if (i32.eqz (i32.and (call $class (i32.load8_u $chunk (local.get $at))) (i32.const 1)))
                (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
              (if (i32.ne (i32.load8_u $replies offset=1 (local.get $token)) (i32.const 0))
                (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
              (local.set $end (i32.add (local.get $end) (i32.const 1))))
            (else
              ;; A word, alone: its kind decided by itself and whether a `.` follows; in a joined run's
              ;; place, with the words joined to it (the next literal piece decides the rest).
              (local.set $end (local.get $at))
              (local.set $digits (i32.const 0))
              (local.set $all (i32.const 5))
              (block $word
                (loop $scan
                  (br_if $word (i32.ge_s (local.get $end) (local.get $to)))
                  (local.set $c (i32.load8_u $chunk (local.get $end)))
                  (local.set $flags (call $class (local.get $c)))
                  (br_if $word (i32.eqz (i32.and (local.get $flags) (i32.const 1))))
                  (local.set $digits (i32.add (local.get $digits) (i32.shr_u (i32.and (local.get $flags) (i32.const 2)) (i32.const 1))))
                  (local.set $all (i32.and (local.get $all)
                    (select (i32.const 0) (local.get $flags) (i32.eq (local.get $c) (i32.const 95)))))
                  (local.set $end (i32.add (local.get $end) (i32.const 1)))
                  (br $scan)))
              ;; reply-key.ts tokensIn: a 128-bit id's run (id128End) is one token (PERCENT 1) whatever its words are,
              ;; with its joined words (a word's place: none, or the scanner decides).
              (local.set $idEnd (i32.const -1))
              (if (i32.or (i32.eq (i32.sub (local.get $end) (local.get $at)) (i32.const 22))
                    (i32.and (i32.lt_s (i32.sub (local.get $end) (local.get $at)) (i32.const 22))
                      (i32.and (i32.lt_s (local.get $end) (local.get $to))
                        (i32.eq (i32.load8_u $chunk (local.get $end)) (i32.const 45)))))
                (then (local.set $idEnd (call $id128End (local.get $at) (local.get $from) (local.get $to)))))
              (if (i32.eq (local.get $idEnd) (i32.const -2)) (then (return (i32.const 2))))
              (block $taken
                (if (i32.ge_s (local.get $idEnd) (i32.const 0))
                  (then
                    (if (i32.ne (i32.load8_u $replies offset=1 (local.get $token)) (i32.const 1))
                      (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
                    (if (i32.and (i32.eqz (local.get $place)) (i32.ne (local.get $idEnd) (local.get $end)))
                      (then (return (i32.const 2))))
                    (local.set $end (local.get $idEnd))
                    (br $taken)))
                (if (i32.eq (local.get $end) (local.get $at)) (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
                ;; reply-key.ts tokensIn: in a joined run's place, local-part characters from its start up to an `@` may be
                ;; an address's local part (where the template holds an `@`): the scanner decides the place, which
                ;; parts from the template there ($atAfter). The word's own characters are local-part ones, none an `@`,
                ;; and so are the characters the token's end takes after it (joined words, `-`, `.`): the scan is made
                ;; from the token's end, once it is known, and from the word's end where the place is left earlier.
                ;; reply-key.ts tokensIn: a word of digits before `.` may start a decimal fraction or a longer run
                ;; of dotted parts.
                (if (i32.and (i32.eq (local.get $digits) (i32.sub (local.get $end) (local.get $at)))
                      (i32.lt_s (local.get $end) (local.get $to)))
                  (then (if (i32.eq (i32.load8_u $chunk (local.get $end)) (i32.const 46))
                    (then
                      (if (i32.and (i32.eq (local.get $place) (i32.const 4)) (call $atAfter (local.get $end) (local.get $to)))
                        (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
                      (return (i32.const 2))))))
                (if (i32.eq (local.get $place) (i32.const 4))
                  (then
                    ;; reply-key.ts tokensIn: a hex word of 8 or fewer before `-`, `.` or `:` may start a UUID, an
                    ;; address, a date or a time.
                    (if (i32.and
                          (i32.and (i32.ne (i32.and (local.get $all) (i32.const 4)) (i32.const 0))
                            (i32.le_s (i32.sub (local.get $end) (local.get $at)) (i32.const 8)))
                          (i32.lt_s (local.get $end) (local.get $to)))
                      (then
                        (local.set $c (i32.load8_u $chunk (local.get $end)))
                        (if (i32.or (i32.eq (local.get $c) (i32.const 45))
                              (i32.or (i32.eq (local.get $c) (i32.const 46)) (i32.eq (local.get $c) (i32.const 58))))
                          (then
                            (if (call $atAfter (local.get $end) (local.get $to))
                              (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
                            (return (i32.const 2))))))))
                (local.set $kind
                  (call $wordKind
                    (local.get $at)
                    (local.get $end)
                    (local.get $digits)
                    (local.get $all)
                    (call $labelAt (local.get $end) (local.get $to))
                    (if (result i32) (i32.eq (local.get $digits) (i32.sub (local.get $end) (local.get $at)))
                      (then (call $unitAt (local.get $end) (local.get $to)))
                      (else (i32.const 0)))))
                ;; reply-key.ts tokensIn: an Exim message id (eximIdEnd) is an id's (PERCENT 1) up to its end.
                (if (i32.and
                      (i32.and (i32.eq (local.get $place) (i32.const 4)) (i32.eq (i32.sub (local.get $end) (local.get $at)) (i32.const 6)))
                      (i32.and (i32.ne (local.get $digits) (i32.const 0)) (i32.ne (i32.and (local.get $all) (i32.const 1)) (i32.const 0))))
                  (then
                    (local.set $idEnd (call $eximIdEnd (local.get $end) (local.get $to)))
                    (if (i32.ge_s (local.get $idEnd) (i32.const 0))
                      (then (local.set $kind (i32.const 1)) (local.set $end (local.get $idEnd))))))
                ;; reply-key.ts tokensIn: in a joined run's place, a word no token alone is an id's (PERCENT 1) up to the
                ;; end of a word joined to it by `-` that is one alone (dashJoinedId).
                (if (i32.and
                      (i32.and (i32.eq (local.get $place) (i32.const 4)) (i32.eq (local.get $kind) (i32.const -1)))
                      (i32.eq (i32.load8_u $replies offset=1 (local.get $token)) (i32.const 1)))
                  (then
                    (local.set $idEnd (call $dashJoinedId (local.get $at) (local.get $end) (local.get $to)))
                    (if (i32.ge_s (local.get $idEnd) (i32.const 0))
                      (then (local.set $kind (i32.const 1)) (local.set $end (local.get $idEnd))))))
                (if (i32.ne (local.get $kind) (i32.load8_u $replies offset=1 (local.get $token)))
                  (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from)))))
                (if (i32.eq (local.get $place) (i32.const 4))
                  (then
                    (local.set $end (call $joinedEnd (local.get $end) (local.get $to)))
                    (if (call $atAfter (local.get $end) (local.get $to))
                      (then (return (call $partedAt (local.get $i) (i32.const 1) (local.get $at) (local.get $from))))))))))))))
        (i32.store $replies offset=256 (i32.shl (local.get $i) (i32.const 3)) (i32.sub (local.get $at) (local.get $from)))
        (i32.store $replies offset=260 (i32.shl (local.get $i) (i32.const 3)) (i32.sub (local.get $end) (local.get $from)))
        (local.set $at (local.get $end))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $piece (i32.add (local.get $piece) (i32.const 4)))
        (local.set $token (i32.add (local.get $token) (i32.const 4)))
        (br $next)))
    (i32.eq (local.get $at) (local.get $to)))

  ;; Copies $n bytes to $to in $replies from $from in $replies ($chunk: $copyChunk): up to 1024 bytes
  ;; sixteen at a time (SIMD; the last sixteen ending at the last byte: no byte past $n is written), from eight
  ;; to fifteen as two eight-byte words (overlapping), below eight byte by byte, longer ones by memory.copy. A
  ;; memory.copy is a call out of WebAssembly: for a record's pieces of 128-300 bytes (its parts around the
  ;; remote host) most of their copy's time (perf: memmove and memory_copy_wrapper). The regions never overlap.
  (func $copy (param $to i32) (param $from i32) (param $n i32)
    (local $i i32) (local $last i32)
    (if (i32.gt_u (local.get $n) (i32.const 1024))
      (then
        (memory.copy $replies $replies (local.get $to) (local.get $from) (local.get $n))
        (return)))
    (if (i32.lt_u (local.get $n) (i32.const 8))
      (then
        (block $done
          (loop $byte
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (i32.store8 $replies (i32.add (local.get $to) (local.get $i))
              (i32.load8_u $replies (i32.add (local.get $from) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $byte)))
        (return)))
    (if (i32.lt_u (local.get $n) (i32.const 16))
      (then
        (local.set $last (i32.sub (local.get $n) (i32.const 8)))
        (i64.store $replies (local.get $to) (i64.load $replies (local.get $from)))
        (i64.store $replies (i32.add (local.get $to) (local.get $last))
          (i64.load $replies (i32.add (local.get $from) (local.get $last))))
        (return)))
    (local.set $last (i32.sub (local.get $n) (i32.const 16)))
    (loop $vector
      (v128.store $replies (i32.add (local.get $to) (local.get $i))
        (v128.load $replies (i32.add (local.get $from) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $vector (i32.lt_u (local.get $i) (local.get $last))))
    (v128.store $replies (i32.add (local.get $to) (local.get $last))
      (v128.load $replies (i32.add (local.get $from) (local.get $last)))))

  ;; $copy from $chunk.
  (func $copyChunk (param $to i32) (param $from i32) (param $n i32)
    (local $i i32) (local $last i32)
    (if (i32.gt_u (local.get $n) (i32.const 1024))
      (then
        (memory.copy $replies $chunk (local.get $to) (local.get $from) (local.get $n))
        (return)))
    (if (i32.lt_u (local.get $n) (i32.const 8))
      (then
        (block $done
          (loop $byte
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (i32.store8 $replies (i32.add (local.get $to) (local.get $i))
              (i32.load8_u $chunk (i32.add (local.get $from) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $byte)))
        (return)))
    (if (i32.lt_u (local.get $n) (i32.const 16))
      (then
        (local.set $last (i32.sub (local.get $n) (i32.const 8)))
        (i64.store $replies (local.get $to) (i64.load $chunk (local.get $from)))
        (i64.store $replies (i32.add (local.get $to) (local.get $last))
          (i64.load $chunk (i32.add (local.get $from) (local.get $last))))
        (return)))
    (local.set $last (i32.sub (local.get $n) (i32.const 16)))
    (loop $vector
      (v128.store $replies (i32.add (local.get $to) (local.get $i))
        (v128.load $chunk (i32.add (local.get $from) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $vector (i32.lt_u (local.get $i) (local.get $last))))
    (v128.store $replies (i32.add (local.get $to) (local.get $last))
      (v128.load $chunk (i32.add (local.get $from) (local.get $last)))))

  ;; Whether one of the 16 bytes needs an escape in a JSON string: below 32, `"` or `\`.
  (func $needsEscape (param $v v128) (result i32)
    (v128.any_true
      (v128.or
        (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 32)))
        (v128.or
          (i8x16.eq (local.get $v) (i8x16.splat (i32.const 34)))
          (i8x16.eq (local.get $v) (i8x16.splat (i32.const 92)))))))

  ;; A record of a record template (render-output.ts RecordTemplate.write, the same bytes) written into
  ;; $replies of a ReplyBytes (line-bytes.ts) at $out: the record's opening, the recipient $chunk[$rcptFrom,
  ;; $rcptTo) (-1 where a byte of it needs an escape, or the template has more tokens than out's 256: nothing
  ;; is decided by the bytes written then), the part
  ;; after it with the line number's digits and, when $time, the time (at 2304 in $replies) written over
  ;; their places, the remote host (at $host in $replies: its length, then its bytes), the part after the
  ;; host, then the diagnostic's holes filled: the tokens of the reply $chunk[$replyFrom, $replyTo) (their
  ;; places at 256, as `reply` leaves them) or the reply itself; the record's end. Its end.
  ;; A record template at $r: [r] the opening's length; [r + 4] the after part's; [r + 8] where the line
  ;; number's digits end in it; [r + 12] their count; [r + 16] where the time goes in it; [r + 20] the time's
  ;; length; [r + 24] the form (render-output.ts WHOLE_DIAGNOSTIC 0, PLAIN_REPLY 1, TOKENS 3); [r + 28] the
  ;; tokens k (TOKENS); [r + 32] the tail's length (PLAIN_REPLY: after the reply); [r + 36] the length of the
  ;; part after the host; [r + 40 + 4i] the piece after token i's length (i < k); then the opening's bytes,
  ;; the after part's, the part after the host's, the pieces' (or the tail's).
  (func $record (export "record") (param $out i32) (param $rcptFrom i32) (param $rcptTo i32) (param $r i32)
    (param $line i32) (param $replyFrom i32) (param $replyTo i32) (param $time i32) (param $host i32)
    (result i32)
    (local $n i32) (local $bytes i32) (local $length i32) (local $c i32) (local $i i32) (local $k i32)
    (local $end i32) (local $form i32) (local $start i32) (local $last i32) (local $v v128)
    (local.set $k (i32.load $replies offset=28 (local.get $r)))
    ;; More tokens than out holds places for (line-bytes.ts REPLY_TOKENS_MAX): JavaScript writes it.
    (if (i32.gt_u (local.get $k) (i32.const 256)) (then (return (i32.const -1))))
    (local.set $bytes (i32.add (i32.add (local.get $r) (i32.const 40)) (i32.shl (local.get $k) (i32.const 2))))
    (local.set $length (i32.load $replies (local.get $r)))
    (call $copy (local.get $out) (local.get $bytes) (local.get $length))
    (local.set $n (i32.add (local.get $out) (local.get $length)))
    (local.set $bytes (i32.add (local.get $bytes) (local.get $length)))
    ;; The recipient, as JSON.stringify writes it when it needs no escape: 16 bytes at a time where it has
    ;; as many (the last 16 overlapping the ones before), else byte by byte.
    (local.set $length (i32.sub (local.get $rcptTo) (local.get $rcptFrom)))
    (if (i32.ge_s (local.get $length) (i32.const 16))
      (then
        (local.set $i (i32.const 0))
        (local.set $last (i32.sub (local.get $length) (i32.const 16)))
        (loop $block
          (local.set $v (v128.load $chunk (i32.add (local.get $rcptFrom) (local.get $i))))
          (if (call $needsEscape (local.get $v)) (then (return (i32.const -1))))
          (v128.store $replies (i32.add (local.get $n) (local.get $i)) (local.get $v))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $block (i32.lt_u (local.get $i) (local.get $last))))
        (local.set $v (v128.load $chunk (i32.add (local.get $rcptFrom) (local.get $last))))
        (if (call $needsEscape (local.get $v)) (then (return (i32.const -1))))
        (v128.store $replies (i32.add (local.get $n) (local.get $last)) (local.get $v))
        (local.set $n (i32.add (local.get $n) (local.get $length))))
      (else
        (local.set $i (local.get $rcptFrom))
        (block $copied
          (loop $next
            (br_if $copied (i32.ge_s (local.get $i) (local.get $rcptTo)))
            (local.set $c (i32.load8_u $chunk (local.get $i)))
            (if (i32.or (i32.lt_u (local.get $c) (i32.const 32))
                  (i32.or (i32.eq (local.get $c) (i32.const 34)) (i32.eq (local.get $c) (i32.const 92))))
              (then (return (i32.const -1))))
            (i32.store8 $replies (local.get $n) (local.get $c))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))))
    ;; The part after it, the line number's digits (from the last) and the time written over their places.
    (local.set $length (i32.load $replies offset=4 (local.get $r)))
    (call $copy (local.get $n) (local.get $bytes) (local.get $length))
    (local.set $end (i32.add (local.get $n) (i32.load $replies offset=8 (local.get $r))))
    (local.set $i (i32.load $replies offset=12 (local.get $r)))
    (loop $digit
      (local.set $end (i32.sub (local.get $end) (i32.const 1)))
      (i32.store8 $replies (local.get $end) (i32.add (i32.const 48) (i32.rem_u (local.get $line) (i32.const 10))))
      (local.set $line (i32.div_u (local.get $line) (i32.const 10)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $digit (i32.gt_s (local.get $i) (i32.const 0))))
    (if (local.get $time)
      (then
        (call $copy
          (i32.add (local.get $n) (i32.load $replies offset=16 (local.get $r)))
          (i32.const 2304)
          (i32.load $replies offset=20 (local.get $r)))))
    (local.set $n (i32.add (local.get $n) (local.get $length)))
    (local.set $bytes (i32.add (local.get $bytes) (local.get $length)))
    ;; The remote host, then the part after it.
    (local.set $length (i32.load $replies (local.get $host)))
    (call $copy (local.get $n) (i32.add (local.get $host) (i32.const 4)) (local.get $length))
    (local.set $n (i32.add (local.get $n) (local.get $length)))
    (local.set $length (i32.load $replies offset=36 (local.get $r)))
    (call $copy (local.get $n) (local.get $bytes) (local.get $length))
    (local.set $n (i32.add (local.get $n) (local.get $length)))
    (local.set $bytes (i32.add (local.get $bytes) (local.get $length)))
    (local.set $form (i32.load $replies offset=24 (local.get $r)))
    (if (i32.eq (local.get $form) (i32.const 3))
      (then
        ;; Each token from the reply, then the piece after it.
        (local.set $i (i32.const 0))
        (block $filled
          (loop $token
            (br_if $filled (i32.ge_s (local.get $i) (local.get $k)))
            (local.set $start (i32.load $replies offset=256 (i32.shl (local.get $i) (i32.const 3))))
            (local.set $length
              (i32.sub (i32.load $replies offset=260 (i32.shl (local.get $i) (i32.const 3))) (local.get $start)))
            (call $copyChunk
              (local.get $n) (i32.add (local.get $replyFrom) (local.get $start)) (local.get $length))
            (local.set $n (i32.add (local.get $n) (local.get $length)))
            (local.set $length (i32.load $replies offset=40 (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 2)))))
            (call $copy (local.get $n) (local.get $bytes) (local.get $length))
            (local.set $n (i32.add (local.get $n) (local.get $length)))
            (local.set $bytes (i32.add (local.get $bytes) (local.get $length)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $token)))
        (return (local.get $n))))
    (if (i32.eq (local.get $form) (i32.const 1))
      (then
        (local.set $length (i32.sub (local.get $replyTo) (local.get $replyFrom)))
        (call $copyChunk (local.get $n) (local.get $replyFrom) (local.get $length))
        (local.set $n (i32.add (local.get $n) (local.get $length)))
        (local.set $length (i32.load $replies offset=32 (local.get $r)))
        (call $copy (local.get $n) (local.get $bytes) (local.get $length))
        (local.set $n (i32.add (local.get $n) (local.get $length)))))
    (local.get $n))

  ;; One call for a reply matched by a template and, when it matches, its record (a delivery's, mostly: the
  ;; tokens' places `reply` leaves at 256 are the ones `record` fills the holes from): the reply $chunk[$from,
  ;; $to) against the reply template at $t, then the record of the record template at $r written at $out.
  ;; The record's end; -1 where it matches but the recipient needs an escape; -2 where it does not match;
  ;; -4 where a UUID's place holds no UUID (`reply`'s 2: the scanner decides).
  (func $replyRecord (export "replyRecord") (param $from i32) (param $to i32) (param $t i32) (param $out i32)
    (param $rcptFrom i32) (param $rcptTo i32) (param $r i32) (param $line i32) (param $time i32) (param $host i32)
    (result i32)
    (local $answer i32)
    (local.set $answer (call $reply (local.get $from) (local.get $to) (local.get $t)))
    (if (i32.eq (local.get $answer) (i32.const 2)) (then (return (i32.const -4))))
    (if (i32.ne (local.get $answer) (i32.const 1)) (then (return (i32.const -2))))
    (call $record (local.get $out) (local.get $rcptFrom) (local.get $rcptTo) (local.get $r) (local.get $line)
      (local.get $from) (local.get $to) (local.get $time) (local.get $host)))
)
