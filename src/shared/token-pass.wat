;; The scan's pass over the bytes of the context, in WebAssembly (token-pass.ts runs it and says why;
;; token-pass-wasm.ts holds it assembled: `npm run wasm` writes it again after a change here).
;;
;; `tokens` is tokens.ts's `estimateTokens` of the text that UTF-8 bytes decode to, counted on the
;; bytes, 64 at a time, with no chain of states from byte to byte. For each 64 bytes, SIMD compares
;; give one bit a byte for each class: letter (A-Z a-z _), digit, blank (space, tab), UTF-8
;; continuation byte (10xxxxxx), lead of a four-byte character (11110xxx and up). Then:
;;   - every other byte is one token (a line break, a symbol, the lead of a non-ASCII character;
;;     a four-byte character is two UTF-16 code units: two tokens); a continuation byte is none;
;;   - a run of blanks is one token: the blanks whose byte before is not one;
;;   - a run of letters is one token per 4 letters, at least one: the letters at 0, 4, 8… from the
;;     run's first. From the runs' first letters S, those 4 further on are the ones whose 4 bytes up
;;     to them are letters (A4): Q = S | (S << 4) & A4; the same with 8 from Q and A8 = A4 & A4 << 4,
;;     and with 16 and 32: every offset that is a multiple of 4 under 64;
;;   - a run of digits likewise, one token per 3 (shifts 3, 6, 12, 24, 48).
;; A run that goes on from the 64 bytes before is carried: whether the byte before was of the class
;; (cL, cD, cB) and the offset in its run of this block's first byte (mL mod 4, mD mod 3); its first
;; counted position in this block is added to S. The last block may be short: what lies past the end
;; (the pass reads up to 63 bytes beyond it: the caller leaves room) is masked out of every class.
;;
;; `probes` finds the secret screen's probes (secret-screen.ts): at each pair of bytes a probe is
;; anchored on (the table at address 0 has the pair's entry at `first << 8 | second`), it checks the
;; probes of that pair where they would start.
(module
  ;; [0, 64 KiB): the table of pairs, then the probes; the caller puts the bytes and the room for
  ;; what is found above them.
  (memory (export "memory") 2)

  ;; Tokens of the bytes [p, p + len).
  (func (export "tokens") (param $p i32) (param $len i32) (result i32)
    (local $end i32) (local $k i32) (local $v v128) (local $t i64)
    (local $L i64) (local $D i64) (local $B i64) (local $C i64) (local $F i64) (local $valid i64)
    (local $cL i64) (local $cD i64) (local $cB i64) (local $mL i64) (local $mD i64)
    (local $S i64) (local $Q i64) (local $A i64) (local $r i64) (local $j i64)
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ;; The class masks of the 64 bytes, 16 at a time (bit i: byte p + i).
        (local.set $L (i64.const 0))
        (local.set $D (i64.const 0))
        (local.set $B (i64.const 0))
        (local.set $C (i64.const 0))
        (local.set $F (i64.const 0))
        (local.set $k (i32.const 0))
        (loop $sixteen
          (local.set $v (v128.load (i32.add (local.get $p) (local.get $k))))
          ;; letter: (byte | 0x20) - 'a' < 26 (unsigned), or '_'
          (local.set $L (i64.or (local.get $L) (i64.shl (i64.extend_i32_u (i8x16.bitmask
            (v128.or
              (i8x16.lt_u (i8x16.sub (v128.or (local.get $v) (i8x16.splat (i32.const 0x20))) (i8x16.splat (i32.const 0x61)))
                          (i8x16.splat (i32.const 26)))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5f))))))
            (i64.extend_i32_u (local.get $k)))))
          ;; digit: byte - '0' < 10
          (local.set $D (i64.or (local.get $D) (i64.shl (i64.extend_i32_u (i8x16.bitmask
            (i8x16.lt_u (i8x16.sub (local.get $v) (i8x16.splat (i32.const 0x30))) (i8x16.splat (i32.const 10)))))
            (i64.extend_i32_u (local.get $k)))))
          ;; blank: space or tab
          (local.set $B (i64.or (local.get $B) (i64.shl (i64.extend_i32_u (i8x16.bitmask
            (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x20)))
                     (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x09))))))
            (i64.extend_i32_u (local.get $k)))))
          ;; continuation: 10xxxxxx
          (local.set $C (i64.or (local.get $C) (i64.shl (i64.extend_i32_u (i8x16.bitmask
            (i8x16.eq (v128.and (local.get $v) (i8x16.splat (i32.const 0xc0))) (i8x16.splat (i32.const 0x80)))))
            (i64.extend_i32_u (local.get $k)))))
          ;; lead of four bytes: 0xf0 and up
          (local.set $F (i64.or (local.get $F) (i64.shl (i64.extend_i32_u (i8x16.bitmask
            (i8x16.ge_u (local.get $v) (i8x16.splat (i32.const 0xf0)))))
            (i64.extend_i32_u (local.get $k)))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $sixteen (i32.lt_u (local.get $k) (i32.const 64))))
        ;; Past the end: no class (and no token).
        (local.set $valid (i64.const -1))
        (if (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 64))
          (then (local.set $valid
            (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $end) (local.get $p)))) (i64.const 1)))))
        (local.set $L (i64.and (local.get $L) (local.get $valid)))
        (local.set $D (i64.and (local.get $D) (local.get $valid)))
        (local.set $B (i64.and (local.get $B) (local.get $valid)))
        (local.set $F (i64.and (local.get $F) (local.get $valid)))

        ;; Other bytes: one token each, a four-byte lead two.
        (local.set $t (i64.add (local.get $t) (i64.add
          (i64.popcnt (i64.and (local.get $valid)
            (i64.xor (i64.or (i64.or (local.get $L) (local.get $D)) (i64.or (local.get $B) (local.get $C))) (i64.const -1))))
          (i64.popcnt (local.get $F)))))

        ;; Blanks: one token a run.
        (local.set $t (i64.add (local.get $t) (i64.popcnt
          (i64.and (local.get $B) (i64.xor (i64.or (i64.shl (local.get $B) (i64.const 1)) (local.get $cB)) (i64.const -1))))))
        (local.set $cB (i64.shr_u (local.get $B) (i64.const 63)))

        ;; Letters: the runs' first letters, and the first at a multiple of 4 in a run carried over.
        (local.set $S (i64.and (local.get $L) (i64.xor (i64.or (i64.shl (local.get $L) (i64.const 1)) (local.get $cL)) (i64.const -1))))
        (if (i64.ne (local.get $cL) (i64.const 0))
          (then
            (local.set $j (i64.and (i64.sub (i64.const 4) (local.get $mL)) (i64.const 3)))
            ;; bytes 0 to j all letters
            (if (i64.eqz (i64.and (i64.xor (local.get $L) (i64.const -1)) (i64.sub (i64.shl (i64.const 2) (local.get $j)) (i64.const 1))))
              (then (local.set $S (i64.or (local.get $S) (i64.shl (i64.const 1) (local.get $j))))))))
        (local.set $A (i64.and (i64.and (local.get $L) (i64.shl (local.get $L) (i64.const 1)))
                               (i64.and (i64.shl (local.get $L) (i64.const 2)) (i64.shl (local.get $L) (i64.const 3)))))
        (local.set $Q (i64.or (local.get $S) (i64.and (i64.shl (local.get $S) (i64.const 4)) (local.get $A))))
        (local.set $A (i64.and (local.get $A) (i64.shl (local.get $A) (i64.const 4))))
        (local.set $Q (i64.or (local.get $Q) (i64.and (i64.shl (local.get $Q) (i64.const 8)) (local.get $A))))
        (local.set $A (i64.and (local.get $A) (i64.shl (local.get $A) (i64.const 8))))
        (local.set $Q (i64.or (local.get $Q) (i64.and (i64.shl (local.get $Q) (i64.const 16)) (local.get $A))))
        (local.set $A (i64.and (local.get $A) (i64.shl (local.get $A) (i64.const 16))))
        (local.set $Q (i64.or (local.get $Q) (i64.and (i64.shl (local.get $Q) (i64.const 32)) (local.get $A))))
        (local.set $t (i64.add (local.get $t) (i64.popcnt (local.get $Q))))
        ;; The offset the next block's first byte has in the run that ends this one (r letters long here).
        (local.set $r (i64.clz (i64.xor (local.get $L) (i64.const -1))))
        (local.set $mL (if (result i64) (i64.eq (local.get $r) (i64.const 64))
          (then (i64.and (local.get $mL) (i64.sub (i64.const 0) (local.get $cL))))
          (else (i64.and (local.get $r) (i64.const 3)))))
        (local.set $cL (i64.shr_u (local.get $L) (i64.const 63)))

        ;; Digits: the same by 3.
        (local.set $S (i64.and (local.get $D) (i64.xor (i64.or (i64.shl (local.get $D) (i64.const 1)) (local.get $cD)) (i64.const -1))))
        (if (i64.ne (local.get $cD) (i64.const 0))
          (then
            (local.set $j (i64.rem_u (i64.sub (i64.const 3) (local.get $mD)) (i64.const 3)))
            (if (i64.eqz (i64.and (i64.xor (local.get $D) (i64.const -1)) (i64.sub (i64.shl (i64.const 2) (local.get $j)) (i64.const 1))))
              (then (local.set $S (i64.or (local.get $S) (i64.shl (i64.const 1) (local.get $j))))))))
        (local.set $A (i64.and (i64.and (local.get $D) (i64.shl (local.get $D) (i64.const 1))) (i64.shl (local.get $D) (i64.const 2))))
        (local.set $Q (i64.or (local.get $S) (i64.and (i64.shl (local.get $S) (i64.const 3)) (local.get $A))))
        (local.set $A (i64.and (local.get $A) (i64.shl (local.get $A) (i64.const 3))))
        (local.set $Q (i64.or (local.get $Q) (i64.and (i64.shl (local.get $Q) (i64.const 6)) (local.get $A))))
        (local.set $A (i64.and (local.get $A) (i64.shl (local.get $A) (i64.const 6))))
        (local.set $Q (i64.or (local.get $Q) (i64.and (i64.shl (local.get $Q) (i64.const 12)) (local.get $A))))
        (local.set $A (i64.and (local.get $A) (i64.shl (local.get $A) (i64.const 12))))
        (local.set $Q (i64.or (local.get $Q) (i64.and (i64.shl (local.get $Q) (i64.const 24)) (local.get $A))))
        (local.set $A (i64.and (local.get $A) (i64.shl (local.get $A) (i64.const 24))))
        (local.set $Q (i64.or (local.get $Q) (i64.and (i64.shl (local.get $Q) (i64.const 48)) (local.get $A))))
        (local.set $t (i64.add (local.get $t) (i64.popcnt (local.get $Q))))
        (local.set $r (i64.clz (i64.xor (local.get $D) (i64.const -1))))
        (local.set $mD (if (result i64) (i64.eq (local.get $r) (i64.const 64))
          (then (if (result i64) (i64.eqz (local.get $cD))
            (then (i64.const 1)) ;; 64 mod 3
            (else (i64.rem_u (i64.add (local.get $mD) (i64.const 1)) (i64.const 3)))))
          (else (i64.rem_u (local.get $r) (i64.const 3)))))
        (local.set $cD (i64.shr_u (local.get $D) (i64.const 63)))

        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $blocks)))
    (i32.wrap_i64 (local.get $t)))

;; The screen's probes in [p, p + len) (the byte before p taken as a line break): at each pair of
  ;; bytes the table at 0 marks (its entry: the number of the pair's list of probes), each probe of the
  ;; list is checked where it would start; the address of the start of each one found is written, as
  ;; i32 from `out` on (in the order of their pairs), and their count returned. The probes, from
  ;; address 65536 on (offsets from there, u16): at 2 × list, the list's offset; a list: its length
  ;; (u8), then its probes' offsets; a probe: its length (u8), its pair's place in it (u8), the byte
  ;; that ends what must follow it (u8, 0: nothing must), the offset of the table of the bytes that
  ;; stop the run before that byte (u16: 256 bytes, non-zero for a stop), then its bytes, then its
  ;; case folds (0x20 where a letter may be in either case).
  (func (export "probes") (param $p i32) (param $len i32) (param $out i32) (result i32)
    (local $end i32) (local $prev i32)
    (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32)
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (global.set $start (local.get $p))
    (global.set $stop (local.get $end))
    (global.set $found (local.get $out))
    (global.set $count (i32.const 0))
    (local.set $prev (i32.const 0x0a))
    ;; Four bytes at a time, one test of the four lookups.
    (block $done4
      (loop $four
        (br_if $done4 (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $end)))
        (local.set $b0 (i32.load8_u (local.get $p)))
        (local.set $b1 (i32.load8_u offset=1 (local.get $p)))
        (local.set $b2 (i32.load8_u offset=2 (local.get $p)))
        (local.set $b3 (i32.load8_u offset=3 (local.get $p)))
        (local.set $x0 (i32.load8_u (i32.or (i32.shl (local.get $prev) (i32.const 8)) (local.get $b0))))
        (local.set $x1 (i32.load8_u (i32.or (i32.shl (local.get $b0) (i32.const 8)) (local.get $b1))))
        (local.set $x2 (i32.load8_u (i32.or (i32.shl (local.get $b1) (i32.const 8)) (local.get $b2))))
        (local.set $x3 (i32.load8_u (i32.or (i32.shl (local.get $b2) (i32.const 8)) (local.get $b3))))
        (if (i32.or (i32.or (local.get $x0) (local.get $x1)) (i32.or (local.get $x2) (local.get $x3)))
          (then
            (if (local.get $x0) (then (call $check (local.get $p) (local.get $x0))))
            (if (local.get $x1) (then (call $check (i32.add (local.get $p) (i32.const 1)) (local.get $x1))))
            (if (local.get $x2) (then (call $check (i32.add (local.get $p) (i32.const 2)) (local.get $x2))))
            (if (local.get $x3) (then (call $check (i32.add (local.get $p) (i32.const 3)) (local.get $x3))))))
        (local.set $prev (local.get $b3))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $four)))
    ;; The last bytes one at a time.
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $b0 (i32.load8_u (local.get $p)))
        (local.set $x0 (i32.load8_u (i32.or (i32.shl (local.get $prev) (i32.const 8)) (local.get $b0))))
        (if (local.get $x0) (then (call $check (local.get $p) (local.get $x0))))
        (local.set $prev (local.get $b0))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $one)))
    (global.get $count))

  ;; The bytes `probes` looks at, where it writes, how many it wrote.
  (global $start (mut i32) (i32.const 0))
  (global $stop (mut i32) (i32.const 0))
  (global $found (mut i32) (i32.const 0))
  (global $count (mut i32) (i32.const 0))

  ;; Checks the probes of list `list`, whose pair ends at `at`.
  (func $check (param $at i32) (param $list i32)
    (local $rec i32) (local $k i32) (local $probe i32) (local $n i32) (local $q i32) (local $m i32)
    (local $end i32) (local $table i32) (local $r i32)
    (local.set $rec (i32.add (i32.const 65536) (i32.load16_u offset=65536 (i32.shl (local.get $list) (i32.const 1)))))
    (local.set $k (i32.load8_u (local.get $rec)))
    (block $lists
      (loop $each
        (br_if $lists (i32.eqz (local.get $k)))
        (local.set $probe (i32.add (i32.const 65536) (i32.load16_u offset=1 (local.get $rec))))
        (local.set $rec (i32.add (local.get $rec) (i32.const 2)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $n (i32.load8_u (local.get $probe)))
        ;; where the probe would start; it must lie within the bytes
        (local.set $q (i32.sub (i32.sub (local.get $at) (i32.const 1)) (i32.load8_u offset=1 (local.get $probe))))
        (br_if $each (i32.lt_s (local.get $q) (global.get $start)))
        (br_if $each (i32.gt_u (i32.add (local.get $q) (local.get $n)) (global.get $stop)))
        ;; its bytes, any case where folded
        (local.set $m (i32.const 0))
        (block $differs
          (loop $bytes
            (br_if $differs (i32.ge_u (local.get $m) (local.get $n)))
            (br_if $differs (i32.ne
              (i32.or (i32.load8_u (i32.add (local.get $q) (local.get $m)))
                      (i32.load8_u offset=5 (i32.add (i32.add (local.get $probe) (local.get $n)) (local.get $m))))
              (i32.load8_u offset=5 (i32.add (local.get $probe) (local.get $m)))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $bytes)))
        (br_if $each (i32.lt_u (local.get $m) (local.get $n)))
        ;; what must follow it: at least one byte outside the stops, then the end byte
        (local.set $end (i32.load8_u offset=2 (local.get $probe)))
        (if (local.get $end)
          (then
            (local.set $table (i32.add (i32.const 65536) (i32.load16_u offset=3 (local.get $probe))))
            (local.set $r (i32.add (local.get $q) (local.get $n)))
            (block $run
              (loop $skip
                (br_if $run (i32.ge_u (local.get $r) (global.get $stop)))
                (br_if $run (i32.load8_u (i32.add (local.get $table) (i32.load8_u (local.get $r)))))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $skip)))
            (br_if $each (i32.eq (local.get $r) (i32.add (local.get $q) (local.get $n))))
            (br_if $each (i32.ge_u (local.get $r) (global.get $stop)))
            (br_if $each (i32.ne (i32.load8_u (local.get $r)) (local.get $end)))))
        (i32.store (i32.add (global.get $found) (i32.shl (global.get $count) (i32.const 2))) (local.get $q))
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (br $each))))
)
