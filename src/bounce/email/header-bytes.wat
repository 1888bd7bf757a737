;; A message's header blocks read in WebAssembly (header-bytes.ts): the rules of headers.ts parseHeaderBlock,
;; over the message's bytes in this module's memory, one call a block. The answer is offsets, the same as the
;; latin1 string's (one char a byte): no string is made here.
;;
;; Memory: [0, 16) the constant "diagnostic-code"; at OUT (16) the answer of `block`: the body's start (i32),
;; the lines (i32), then from FIELDS (32) each field as four i32 (name start, name end, value start, value
;; end), at most MAX_FIELDS (past them `block` answers -1: the caller reads the block in JavaScript); the
;; message's bytes from TEXT (65536), `$length` of them (set by `load`); after them what `quotedPrintable`
;; decodes (the caller gives the memory room for as many bytes again). Offsets in and out are the text's
;; (0 = its first byte), not the memory's.
(module
  (memory (export "memory") 2)
  (data (i32.const 0) "diagnostic-code")
  (global $length (mut i32) (i32.const 0))

  ;; The message's bytes are written at 65536 by the caller; `length` says how many.
  (func (export "load") (param $length i32)
    (global.set $length (local.get $length)))

  (func $byte (param $at i32) (result i32)
    (i32.load8_u offset=65536 (local.get $at)))

;; The first "\n" in [$at, $end), or $end: sixteen bytes a compare (SIMD) while sixteen lie before $end (no
  ;; load past it), the rest one by one. Header lines are tens of bytes long: a compare a byte was most of a
  ;; block's work.
  (func $lineBreak (param $at i32) (param $end i32) (result i32)
    (local $mask i32)
    (block $bytewise
      (loop $sixteen
        (br_if $bytewise (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
        (local.set $mask
          (i8x16.bitmask
            (i8x16.eq (v128.load offset=65536 (local.get $at)) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))))
        (if (local.get $mask) (then (return (i32.add (local.get $at) (i32.ctz (local.get $mask))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $sixteen)))
    (block $found
      (loop $next
        (br_if $found (i32.ge_u (local.get $at) (local.get $end)))
        (br_if $found (i32.eq (call $byte (local.get $at)) (i32.const 10)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $next)))
    (local.get $at))

    (func $isBlank (param $c i32) (result i32)
    (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9))))

  ;; [!-9;-~]: printable ASCII but ":".
  (func $isNameChar (param $c i32) (result i32)
    (i32.and
      (i32.lt_u (i32.sub (local.get $c) (i32.const 33)) (i32.const 94))
      (i32.ne (local.get $c) (i32.const 58))))

  ;; fieldColon: the ':' ending a field name that starts the line at $pos (a run of name characters, perhaps
  ;; blanks, the colon, within 80 characters and the line), or -1.
  (func $fieldColon (param $pos i32) (param $lineEnd i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $pos))
    (block $run
      (loop $name
        (br_if $run (i32.ge_u (local.get $i) (local.get $lineEnd)))
        (br_if $run (i32.eqz (call $isNameChar (call $byte (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $name)))
    (if (i32.eq (local.get $i) (local.get $pos)) (then (return (i32.const -1))))
    (block $blanks
      (loop $blank
        (br_if $blanks (i32.ge_u (local.get $i) (local.get $lineEnd)))
        (br_if $blanks (i32.eqz (call $isBlank (call $byte (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $blank)))
    (if (result i32)
      (i32.and
        (i32.and
          (i32.lt_u (local.get $i) (local.get $lineEnd))
          (i32.lt_u (local.get $i) (i32.add (local.get $pos) (i32.const 80))))
        (i32.eq (call $byte (local.get $i)) (i32.const 58)))
      (then (local.get $i))
      (else (i32.const -1))))

  ;; isUnindentedParameter: the value so far ends in ";" (blanks aside) and the line is "name=…" (a name of
  ;; letters and "-", its "=" within 40 characters).
  (func $isUnindentedParameter (param $pos i32) (param $lineEnd i32) (param $previousEnd i32) (result i32)
    (local $last i32) (local $i i32) (local $c i32)
    (local.set $last (i32.sub (local.get $previousEnd) (i32.const 1)))
    (block $done
      (loop $back
        (br_if $done (i32.le_s (local.get $last) (i32.const 0)))
        (br_if $done (i32.eqz (call $isBlank (call $byte (local.get $last)))))
        (local.set $last (i32.sub (local.get $last) (i32.const 1)))
        (br $back)))
    (if (i32.ne (call $byte (local.get $last)) (i32.const 59)) (then (return (i32.const 0))))
    (local.set $i (local.get $pos))
    (block $none
      (loop $scan
        (br_if $none (i32.ge_u (local.get $i) (local.get $lineEnd)))
        (br_if $none (i32.ge_u (i32.sub (local.get $i) (local.get $pos)) (i32.const 40)))
        (local.set $c (call $byte (local.get $i)))
        (if (i32.eq (local.get $c) (i32.const 61))
          (then (return (i32.gt_u (local.get $i) (local.get $pos)))))
        ;; A letter (either case) or "-", else no parameter.
        (if (i32.eqz
              (i32.or
                (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 97)) (i32.const 26))
                (i32.eq (local.get $c) (i32.const 45))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.const 0))

  ;; Whether the name at [$start, $end) is "diagnostic-code", whatever its case (names are ASCII).
  (func $isDiagnosticCode (param $start i32) (param $end i32) (result i32)
    (local $i i32) (local $c i32)
    (if (i32.ne (i32.sub (local.get $end) (local.get $start)) (i32.const 15))
      (then (return (i32.const 0))))
    (loop $each
      (local.set $c (call $byte (i32.add (local.get $start) (local.get $i))))
      ;; A-Z lower-cased.
      (if (i32.lt_u (i32.sub (local.get $c) (i32.const 65)) (i32.const 26))
        (then (local.set $c (i32.or (local.get $c) (i32.const 32)))))
      (if (i32.ne (local.get $c) (i32.load8_u (local.get $i))) (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $i) (i32.const 15))))
    (i32.const 1))

  (func $isDigit (param $c i32) (result i32)
    (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))

  ;; isReplyLine: three digits, the first 2-5, then "-" or " ", and more after them.
  (func $isReplyLine (param $pos i32) (param $lineEnd i32) (result i32)
    (local $c i32)
    (if (i32.le_s (i32.sub (local.get $lineEnd) (local.get $pos)) (i32.const 4))
      (then (return (i32.const 0))))
    (if (i32.ge_u (i32.sub (call $byte (local.get $pos)) (i32.const 50)) (i32.const 4))
      (then (return (i32.const 0))))
    (if (i32.eqz (call $isDigit (call $byte (i32.add (local.get $pos) (i32.const 1)))))
      (then (return (i32.const 0))))
    (if (i32.eqz (call $isDigit (call $byte (i32.add (local.get $pos) (i32.const 2)))))
      (then (return (i32.const 0))))
    (local.set $c (call $byte (i32.add (local.get $pos) (i32.const 3))))
    (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 32))))

  ;; The block starting at $start, read no further than $end: its fields at FIELDS, its body's start and
  ;; lines at OUT; the number of fields, or -1 when there are more than MAX_FIELDS.
  (func (export "block") (param $start i32) (param $end i32) (result i32)
    (local $pos i32) (local $lines i32) (local $fields i32)
    (local $nameStart i32) (local $nameEnd i32) (local $valueStart i32) (local $valueEnd i32)
    (local $nl i32) (local $lineEnd i32) (local $first i32) (local $colon i32) (local $body i32)
    (local.set $pos (local.get $start))
    (local.set $nameStart (i32.const -1))
    ;; A leading mbox "From " line (looked for in the whole text, as startsWith does).
    (if (i32.le_u (i32.add (local.get $pos) (i32.const 5)) (global.get $length))
      (then
        (if (i32.and
              (i32.eq (i32.load offset=65536 (local.get $pos)) (i32.const 0x6d6f7246)) ;; "From"
              (i32.eq (call $byte (i32.add (local.get $pos) (i32.const 4))) (i32.const 32)))
          (then
            (local.set $nl (call $lineBreak (local.get $pos) (local.get $end)))
            (local.set $pos
              (select (i32.add (local.get $nl) (i32.const 1)) (local.get $end)
                (i32.lt_u (local.get $nl) (local.get $end))))
            (local.set $lines (i32.const 1))))))
    (local.set $body (local.get $end))
    (block $stop
      (loop $line
        (br_if $stop (i32.ge_s (local.get $pos) (local.get $end)))
        ;; The line's end: its "\n" (or $end), less a "\r" before it.
        (local.set $nl (call $lineBreak (local.get $pos) (local.get $end)))
        (local.set $lineEnd (local.get $nl))
        (if (i32.gt_u (local.get $lineEnd) (local.get $pos))
          (then
            (if (i32.eq (call $byte (i32.sub (local.get $lineEnd) (i32.const 1))) (i32.const 13))
              (then (local.set $lineEnd (i32.sub (local.get $lineEnd) (i32.const 1)))))))
        ;; An empty line ends the block; the body starts after it.
        (if (i32.eq (local.get $lineEnd) (local.get $pos))
          (then
            (local.set $body
              (select (i32.add (local.get $nl) (i32.const 1)) (local.get $end)
                (i32.lt_u (local.get $nl) (local.get $end))))
            (local.set $lines (i32.add (local.get $lines) (i32.const 1)))
            (br $stop)))
        (local.set $first (call $byte (local.get $pos)))
        (block $next
          ;; A continuation: indented, or an unindented parameter after a ";".
          (if (i32.ge_s (local.get $nameStart) (i32.const 0))
            (then
              (if (if (result i32) (call $isBlank (local.get $first))
                    (then (i32.const 1))
                    (else (call $isUnindentedParameter (local.get $pos) (local.get $lineEnd) (local.get $valueEnd))))
                (then
                  (local.set $valueEnd (local.get $lineEnd))
                  (br $next)))))
          (local.set $colon (call $fieldColon (local.get $pos) (local.get $lineEnd)))
          (if (i32.lt_s (local.get $colon) (i32.const 0))
            (then
              ;; The rest of a multi-line SMTP reply copied into Diagnostic-Code without folding.
              (if (i32.ge_s (local.get $nameStart) (i32.const 0))
                (then
                  (if (i32.and
                        (call $isDiagnosticCode (local.get $nameStart) (local.get $nameEnd))
                        (call $isReplyLine (local.get $pos) (local.get $lineEnd)))
                    (then
                      (local.set $valueEnd (local.get $lineEnd))
                      (br $next)))))
              ;; Neither field nor continuation: the body starts on this line.
              (local.set $body (local.get $pos))
              (br $stop)))
          ;; A new field: the previous one is done.
          (if (i32.ge_s (local.get $nameStart) (i32.const 0))
            (then
              (if (i32.ge_u (local.get $fields) (i32.const 4094)) (then (return (i32.const -1))))
              (i32.store offset=32 (i32.shl (local.get $fields) (i32.const 4)) (local.get $nameStart))
              (i32.store offset=36 (i32.shl (local.get $fields) (i32.const 4)) (local.get $nameEnd))
              (i32.store offset=40 (i32.shl (local.get $fields) (i32.const 4)) (local.get $valueStart))
              (i32.store offset=44 (i32.shl (local.get $fields) (i32.const 4)) (local.get $valueEnd))
              (local.set $fields (i32.add (local.get $fields) (i32.const 1)))))
          (local.set $nameStart (local.get $pos))
          (local.set $nameEnd (local.get $colon))
          ;; Blanks before the colon are no part of the name.
          (block $trimmed
            (loop $trim
              (br_if $trimmed (i32.eqz (call $isBlank (call $byte (i32.sub (local.get $nameEnd) (i32.const 1))))))
              (local.set $nameEnd (i32.sub (local.get $nameEnd) (i32.const 1)))
              (br $trim)))
          (local.set $valueStart (i32.add (local.get $colon) (i32.const 1)))
          (local.set $valueEnd (local.get $lineEnd)))
        (local.set $lines (i32.add (local.get $lines) (i32.const 1)))
        (local.set $pos (i32.add (local.get $nl) (i32.const 1)))
        (br $line)))
    ;; The last field.
    (if (i32.ge_s (local.get $nameStart) (i32.const 0))
      (then
        (if (i32.ge_u (local.get $fields) (i32.const 4094)) (then (return (i32.const -1))))
        (i32.store offset=32 (i32.shl (local.get $fields) (i32.const 4)) (local.get $nameStart))
        (i32.store offset=36 (i32.shl (local.get $fields) (i32.const 4)) (local.get $nameEnd))
        (i32.store offset=40 (i32.shl (local.get $fields) (i32.const 4)) (local.get $valueStart))
        (i32.store offset=44 (i32.shl (local.get $fields) (i32.const 4)) (local.get $valueEnd))
        (local.set $fields (i32.add (local.get $fields) (i32.const 1)))))
    (i32.store offset=16 (i32.const 0) (local.get $body))
    (i32.store offset=20 (i32.const 0) (local.get $lines))
    (local.get $fields))

  ;; The byte at $at when it is before $end, else -1 (no character: what charCodeAt past a string's end
  ;; answers for mime.ts, NaN, is neither a blank, a line break nor a hex digit either).
  (func $byteBefore (param $at i32) (param $end i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $at) (local.get $end))
      (then (call $byte (local.get $at)))
      (else (i32.const -1))))

  ;; A hex digit's value (0-9, a-f, A-F), else -1.
  (func $hex (param $c i32) (result i32)
    (if (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10))
      (then (return (i32.sub (local.get $c) (i32.const 48)))))
    (local.set $c (i32.or (local.get $c) (i32.const 32)))
    (if (i32.lt_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 6))
      (then (return (i32.sub (local.get $c) (i32.const 87)))))
    (i32.const -1))

  ;; mime.ts decodeQuotedPrintable of the text's [$start, $end): a soft line break ("=", blanks, "\n" or
  ;; "\r\n") removed, "=XX" (hex, either case) its byte, any other "=" and every other byte kept. Written
  ;; from the text's end ($length); the number of bytes written.
  (func (export "quotedPrintable") (param $start i32) (param $end i32) (result i32)
    (local $at i32) (local $out i32) (local $c i32) (local $i i32) (local $high i32) (local $low i32)
    (local $chunk v128) (local $mask i32)
    (local.set $at (local.get $start))
    (local.set $out (global.get $length))
    (block $done
      (loop $next
        ;; Sixteen bytes at once while no "=" is among them; up to the first "=" when one is (the bytes
        ;; stored past it are written over). Neither the load nor the store passes its bound: $out is never
        ;; further from $length than $at from $start, and the caller gives the memory room for as many
        ;; bytes again as the text has.
        (block $bytewise
          (loop $sixteen
            (br_if $bytewise (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
            (local.set $chunk (v128.load offset=65536 (local.get $at)))
            (v128.store offset=65536 (local.get $out) (local.get $chunk))
            (local.set $mask
              (i8x16.bitmask
                (i8x16.eq (local.get $chunk) (v128.const i8x16 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61))))
            (if (local.get $mask)
              (then
                (local.set $at (i32.add (local.get $at) (i32.ctz (local.get $mask))))
                (local.set $out (i32.add (local.get $out) (i32.ctz (local.get $mask))))
                (br $bytewise)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (br $sixteen)))
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $c (call $byte (local.get $at)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (if (i32.ne (local.get $c) (i32.const 61))
          (then
            (i32.store8 offset=65536 (local.get $out) (local.get $c))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))
            (br $next)))
        ;; After "=": blanks then a line break end the line softly.
        (local.set $i (local.get $at))
        (block $blanksEnd
          (loop $blanks
            (br_if $blanksEnd (i32.eqz (call $isBlank (call $byteBefore (local.get $i) (local.get $end)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $blanks)))
        (local.set $c (call $byteBefore (local.get $i) (local.get $end)))
        (if (i32.eq (local.get $c) (i32.const 10))
          (then
            (local.set $at (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
        (if (i32.and
              (i32.eq (local.get $c) (i32.const 13))
              (i32.eq (call $byteBefore (i32.add (local.get $i) (i32.const 1)) (local.get $end)) (i32.const 10)))
          (then
            (local.set $at (i32.add (local.get $i) (i32.const 2)))
            (br $next)))
        (local.set $high (call $hex (call $byteBefore (local.get $at) (local.get $end))))
        (local.set $low (call $hex (call $byteBefore (i32.add (local.get $at) (i32.const 1)) (local.get $end))))
        (if (i32.and (i32.ge_s (local.get $high) (i32.const 0)) (i32.ge_s (local.get $low) (i32.const 0)))
          (then
            (i32.store8 offset=65536 (local.get $out)
              (i32.or (i32.shl (local.get $high) (i32.const 4)) (local.get $low)))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))
            (local.set $at (i32.add (local.get $at) (i32.const 2)))
            (br $next)))
        (i32.store8 offset=65536 (local.get $out) (i32.const 61))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $out) (global.get $length)))
)
