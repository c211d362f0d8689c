;; Hand-written WebAssembly SIMD kernels that run on the tfjs wasm backend's own heap (its
;; memory is imported, so tensors are read and written in place, no copies). Assembled by
;; scripts/build_wasm.mjs (wabt) into src/kernels/wasm_simd_module.ts; the marker after the
;; memory limits becomes `shared` for the variant that imports a threaded (shared) memory.
;; All pointers are byte offsets into that memory.
(module
  (import "env" "memory" (memory 1 65536 @SHARED@))

  ;; Multivariate normal log density pieces for `batch` rows, one lower-triangular L per row:
  ;; z = L⁻¹(x − loc) by forward substitution (float64, the dot products in f64x2 lanes), then
  ;;   res[2t]     = −½‖z‖² − e·ln2 − c
  ;;   res[2t + 1] = m        with Π|L_ii| = m·2^e (renormalized every 4 factors, so no
  ;;                          float64 overflow or underflow for any float32 diagonal)
  ;; and the caller finishes log p = res[2t] − log(res[2t+1]) (one log per row).
  ;; x, loc: float32 rows at strides xs, ms (elements; 0 broadcasts one row); l: float32
  ;; [d, d] matrices at stride ls (elements); z: float64 scratch [d]; res: float64 [batch, 2].
  (func (export "mvn_tril_logprob")
    (param $x i32) (param $xs i32) (param $loc i32) (param $ms i32) (param $l i32) (param $ls i32)
    (param $res i32) (param $batch i32) (param $d i32) (param $z i32) (param $c f64)
    (local $t i32) (local $i i32) (local $k i32) (local $i4 i32)
    (local $xb i32) (local $mb i32) (local $lb i32) (local $row i32)
    (local $s f64) (local $lii f64) (local $inv f64) (local $zi f64) (local $q f64) (local $prod f64)
    (local $esum i64) (local $bits i64)
    (local $acc0 v128) (local $acc1 v128) (local $v v128)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $t) (local.get $batch)))
        (local.set $xb (i32.add (local.get $x) (i32.shl (i32.mul (local.get $t) (local.get $xs)) (i32.const 2))))
        (local.set $mb (i32.add (local.get $loc) (i32.shl (i32.mul (local.get $t) (local.get $ms)) (i32.const 2))))
        (local.set $lb (i32.add (local.get $l) (i32.shl (i32.mul (local.get $t) (local.get $ls)) (i32.const 2))))
        (local.set $q (f64.const 0))
        (local.set $prod (f64.const 1))
        (local.set $esum (i64.const 0))
        (local.set $i (i32.const 0))
        (block $i_done
          (loop $irows
            (br_if $i_done (i32.ge_u (local.get $i) (local.get $d)))
            (local.set $row (i32.add (local.get $lb) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 2))))
            (local.set $lii (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
            (local.set $inv (f64.div (f64.const 1) (local.get $lii)))
            (local.set $s
              (f64.sub
                (f64.promote_f32 (f32.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 2)))))
                (f64.promote_f32 (f32.load (i32.add (local.get $mb) (i32.shl (local.get $i) (i32.const 2)))))))
            (local.set $acc0 (f64x2.splat (f64.const 0)))
            (local.set $acc1 (f64x2.splat (f64.const 0)))
            (local.set $k (i32.const 0))
            (local.set $i4 (i32.and (local.get $i) (i32.const -4)))
            (block $k4_done
              (loop $k4
                (br_if $k4_done (i32.ge_u (local.get $k) (local.get $i4)))
                (local.set $v (v128.load align=4 (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 2)))))
                (local.set $acc0
                  (f64x2.add (local.get $acc0)
                    (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v))
                      (v128.load align=8 (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3)))))))
                (local.set $acc1
                  (f64x2.add (local.get $acc1)
                    (f64x2.mul
                      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
                      (v128.load align=8 (i32.add (local.get $z) (i32.add (i32.shl (local.get $k) (i32.const 3)) (i32.const 16)))))))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $k4)))
            (block $k1_done
              (loop $k1
                (br_if $k1_done (i32.ge_u (local.get $k) (local.get $i)))
                (local.set $s
                  (f64.sub (local.get $s)
                    (f64.mul
                      (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 2)))))
                      (f64.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3)))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $k1)))
            (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
            (local.set $s
              (f64.sub (local.get $s)
                (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))
            (local.set $zi (f64.mul (local.get $s) (local.get $inv)))
            (f64.store (i32.add (local.get $z) (i32.shl (local.get $i) (i32.const 3))) (local.get $zi))
            (local.set $q (f64.add (local.get $q) (f64.mul (local.get $zi) (local.get $zi))))
            (local.set $prod (f64.mul (local.get $prod) (f64.abs (local.get $lii))))
            ;; every 4 factors, move the exponent of a finite nonzero product into $esum
            (if (i32.and
                  (i32.eq (i32.and (local.get $i) (i32.const 3)) (i32.const 3))
                  (i32.and (f64.ne (local.get $prod) (f64.const 0)) (f64.lt (local.get $prod) (f64.const inf))))
              (then
                (local.set $bits (i64.reinterpret_f64 (local.get $prod)))
                (local.set $esum
                  (i64.add (local.get $esum)
                    (i64.sub (i64.and (i64.shr_u (local.get $bits) (i64.const 52)) (i64.const 0x7ff)) (i64.const 1023))))
                (local.set $prod
                  (f64.reinterpret_i64
                    (i64.or (i64.and (local.get $bits) (i64.const 0x800fffffffffffff)) (i64.const 0x3ff0000000000000))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $irows)))
        (f64.store (i32.add (local.get $res) (i32.shl (local.get $t) (i32.const 4)))
          (f64.sub
            (f64.sub (f64.mul (f64.const -0.5) (local.get $q))
              (f64.mul (f64.convert_i64_s (local.get $esum)) (f64.const 0x1.62e42fefa39efp-1)))
            (local.get $c)))
        (f64.store (i32.add (local.get $res) (i32.add (i32.shl (local.get $t) (i32.const 4)) (i32.const 8))) (local.get $prod))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $rows))))

  ;; tf.train.adam's update for n float32 values with float32 rounding after every operation,
  ;; in the order of tfjs' composed ops (so the result is bit-identical to them):
  ;;   m' = m·β₁ + g·(1−β₁);  v' = v·β₂ + (g·g)·(1−β₂)
  ;;   x' = ((m'/(1−β₁ᵗ)) / (sqrt(v'/(1−β₂ᵗ)) + ε))·(−lr) + x
  (func (export "adam_tf")
    (param $x i32) (param $g i32) (param $m i32) (param $v i32) (param $xo i32) (param $mo i32) (param $vo i32)
    (param $n i32) (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32)
    (param $oma1 f32) (param $oma2 f32) (param $eps f32) (param $nlr f32)
    (local $i i32) (local $n4 i32) (local $o i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $v_done
      (loop $vec
        (br_if $v_done (i32.ge_u (local.get $i) (local.get $n4)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $o))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $o))) (f32x4.splat (local.get $b1)))
            (f32x4.mul (local.get $gv) (f32x4.splat (local.get $c1)))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $o))) (f32x4.splat (local.get $b2)))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $c2)))))
        (v128.store align=4 (i32.add (local.get $mo) (local.get $o)) (local.get $mv))
        (v128.store align=4 (i32.add (local.get $vo) (local.get $o)) (local.get $vv))
        (v128.store align=4 (i32.add (local.get $xo) (local.get $o))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mv) (f32x4.splat (local.get $oma1)))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (f32x4.splat (local.get $oma2)))) (f32x4.splat (local.get $eps))))
              (f32x4.splat (local.get $nlr)))
            (v128.load align=4 (i32.add (local.get $x) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $s_done
      (loop $sca
        (br_if $s_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ms
          (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1)) (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs
          (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $mo) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $vo) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $xo) (local.get $o))
          (f32.add
            (f32.mul
              (f32.div (f32.div (local.get $ms) (local.get $oma1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $oma2))) (local.get $eps)))
              (local.get $nlr))
            (f32.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sca))))

  ;; out = xᵀ for a float32 matrix x [m, n] (out [n, m]): 4x4 blocks transposed in registers
  ;; with shuffles, the ragged edges element by element.
  (func (export "transpose_f32") (param $x i32) (param $out i32) (param $m i32) (param $n i32)
    (local $r i32) (local $c i32) (local $m4 i32) (local $n4 i32) (local $src i32) (local $dst i32)
    (local $a v128) (local $b v128) (local $cc v128) (local $d v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $rb_done
      (loop $rb
        (br_if $rb_done (i32.ge_u (local.get $r) (local.get $m4)))
        (local.set $c (i32.const 0))
        (block $cb_done
          (loop $cb
            (br_if $cb_done (i32.ge_u (local.get $c) (local.get $n4)))
            (local.set $src (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c)) (i32.const 2))))
            (local.set $a (v128.load align=4 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
            (local.set $b (v128.load align=4 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
            (local.set $cc (v128.load align=4 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
            (local.set $d (v128.load align=4 (local.get $src)))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cc) (local.get $d)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $cc) (local.get $d)))
            (local.set $dst (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $m)) (local.get $r)) (i32.const 2))))
            (v128.store align=4 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $m) (i32.const 2))))
            (v128.store align=4 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $m) (i32.const 2))))
            (v128.store align=4 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $m) (i32.const 2))))
            (v128.store align=4 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cb)))
        ;; columns n4..n of these four rows
        (block $ct_done
          (loop $ct
            (br_if $ct_done (i32.ge_u (local.get $c) (local.get $n)))
            (call $copy4 (local.get $x) (local.get $out) (local.get $m) (local.get $n) (local.get $r) (local.get $c))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $ct)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rb)))
    ;; rows m4..m, every column
    (block $rt_done
      (loop $rt
        (br_if $rt_done (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $c (i32.const 0))
        (block $c1_done
          (loop $c1
            (br_if $c1_done (i32.ge_u (local.get $c) (local.get $n)))
            (f32.store
              (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $m)) (local.get $r)) (i32.const 2)))
              (f32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c)) (i32.const 2)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $c1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rt))))

  ;; transpose_f32's edge: column c of rows r..r+3 into row c of out
  (func $copy4 (param $x i32) (param $out i32) (param $m i32) (param $n i32) (param $r i32) (param $c i32)
    (local $k i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $k) (i32.const 4)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $m)) (i32.add (local.get $r) (local.get $k))) (i32.const 2)))
          (f32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.add (local.get $r) (local.get $k)) (local.get $n)) (local.get $c)) (i32.const 2)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $each))))

  ;; out[c] = Σ_r x[r, c] for a float32 matrix x [m, n]: float64 accumulators (f64x2 lanes), one
  ;; rounding to float32 per column.
  (func (export "sum_rows_f32") (param $x i32) (param $out i32) (param $m i32) (param $n i32)
    (local $r i32) (local $c i32) (local $n4 i32) (local $p i32) (local $v v128) (local $lo v128) (local $hi v128) (local $s f64)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $cb_done
      (loop $cb
        (br_if $cb_done (i32.ge_u (local.get $c) (local.get $n4)))
        (local.set $lo (f64x2.splat (f64.const 0)))
        (local.set $hi (f64x2.splat (f64.const 0)))
        (local.set $p (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $r_done
          (loop $rows
            (br_if $r_done (i32.ge_u (local.get $r) (local.get $m)))
            (local.set $v (v128.load align=4 (local.get $p)))
            (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
            (local.set $hi (f64x2.add (local.get $hi)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cb)))
    (block $ct_done
      (loop $ct
        (br_if $ct_done (i32.ge_u (local.get $c) (local.get $n)))
        (local.set $s (f64.const 0))
        (local.set $r (i32.const 0))
        (block $r1_done
          (loop $r1
            (br_if $r1_done (i32.ge_u (local.get $r) (local.get $m)))
            (local.set $s (f64.add (local.get $s)
              (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c)) (i32.const 2)))))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $r1)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (f32.demote_f64 (local.get $s)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $ct))))

  ;; out = dy · step(y) for n float32 values (step: 1 for y > 0, 0 for y ≤ 0, NaN for NaN,
  ;; as tfjs' Step), the relu gradient from its output.
  (func (export "relu_mask_f32") (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $i i32) (local $n4 i32) (local $o i32) (local $yv v128) (local $st v128) (local $ys f32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $v_done
      (loop $vec
        (br_if $v_done (i32.ge_u (local.get $i) (local.get $n4)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $yv (v128.load align=4 (i32.add (local.get $y) (local.get $o))))
        (local.set $st
          (v128.bitselect (f32x4.splat (f32.const 1)) (f32x4.splat (f32.const 0)) (f32x4.gt (local.get $yv) (f32x4.splat (f32.const 0)))))
        (local.set $st (v128.bitselect (local.get $yv) (local.get $st) (f32x4.ne (local.get $yv) (local.get $yv))))
        (v128.store align=4 (i32.add (local.get $out) (local.get $o))
          (f32x4.mul (v128.load align=4 (i32.add (local.get $dy) (local.get $o))) (local.get $st)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $s_done
      (loop $sca
        (br_if $s_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $ys (f32.load (i32.add (local.get $y) (local.get $o))))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (f32.mul (f32.load (i32.add (local.get $dy) (local.get $o)))
            (select (f32.const 1) (select (local.get $ys) (f32.const 0) (f32.ne (local.get $ys) (local.get $ys))) (f32.gt (local.get $ys) (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sca))))

  ;; ---------------------------------------------------------------- exp and log, 4 float32 lanes

  ;; e^x for float32 lanes: x = n·ln2 + r (Cody–Waite), e^r by a degree-6 polynomial
  ;; (|r| ≤ ln2/2: relative error ~1e-7), 2^n through the exponent bits. x is clamped to
  ;; [−87.3, 88.3], so e^x ≥ ~1.2e-38 (callers use it for weights that are then summed) and finite.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.max (f32x4.min (local.get $x) (f32x4.splat (f32.const 88.3))) (f32x4.splat (f32.const -87.3))))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504)))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.add (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.3888889e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3333333e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1666667e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.16666667))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.5))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; ln x for positive normal float32 lanes (callers check their inputs): x = 2^e·m with
  ;; m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1), by its series to s⁹ (relative error ~1e-8).
  (func $log4 (param $x v128) (result v128)
    (local $e v128) (local $m v128) (local $big v128) (local $s v128) (local $s2 v128) (local $p v128)
    (local.set $e (i32x4.sub (i32x4.shr_u (local.get $x) (i32.const 23)) (i32x4.splat (i32.const 127))))
    (local.set $m (v128.or (v128.and (local.get $x) (i32x4.splat (i32.const 0x007fffff))) (i32x4.splat (i32.const 0x3f800000))))
    (local.set $big (f32x4.gt (local.get $m) (f32x4.splat (f32.const 1.41421356))))
    (local.set $m (v128.bitselect (f32x4.mul (local.get $m) (f32x4.splat (f32.const 0.5))) (local.get $m) (local.get $big)))
    (local.set $e (i32x4.sub (local.get $e) (local.get $big)))
    (local.set $s (f32x4.div (f32x4.sub (local.get $m) (f32x4.splat (f32.const 1))) (f32x4.add (local.get $m) (f32x4.splat (f32.const 1)))))
    (local.set $s2 (f32x4.mul (local.get $s) (local.get $s)))
    (local.set $p (f32x4.splat (f32.const 0.11111111)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s2)) (f32x4.splat (f32.const 0.14285714))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s2)) (f32x4.splat (f32.const 0.2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s2)) (f32x4.splat (f32.const 0.33333333))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s2)) (f32x4.splat (f32.const 1))))
    (f32x4.add
      (f32x4.mul (f32x4.convert_i32x4_s (local.get $e)) (f32x4.splat (f32.const 0.693147181)))
      (f32x4.mul (f32x4.mul (local.get $s) (f32x4.splat (f32.const 2))) (local.get $p))))

  ;; e^x and ln x over n float32 values, n a multiple of 4 (tests check the two routines through these).
  (func (export "exp_f32") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (call $exp4 (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $each))))

  (func (export "log_f32") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (call $log4 (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $each))))

  ;; ---------------------------------------------------------------- ragged vectors and horizontal ops

  ;; Lanes k..k+3 of a float32 array of length n at a (lanes at or past n hold pad).
  (func $ld (param $a i32) (param $k i32) (param $n i32) (param $pad f32) (result v128)
    (local $v v128) (local $p i32)
    (local.set $p (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (if (result v128) (i32.le_u (i32.add (local.get $k) (i32.const 4)) (local.get $n))
      (then (v128.load align=4 (local.get $p)))
      (else
        (local.set $v (f32x4.splat (local.get $pad)))
        (if (i32.lt_u (local.get $k) (local.get $n))
          (then (local.set $v (f32x4.replace_lane 0 (local.get $v) (f32.load (local.get $p))))))
        (if (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $n))
          (then (local.set $v (f32x4.replace_lane 1 (local.get $v) (f32.load offset=4 (local.get $p))))))
        (if (i32.lt_u (i32.add (local.get $k) (i32.const 2)) (local.get $n))
          (then (local.set $v (f32x4.replace_lane 2 (local.get $v) (f32.load offset=8 (local.get $p))))))
        (local.get $v))))

  ;; Stores the lanes of v that fall below n into a float32 array at a, from index k.
  (func $st (param $a i32) (param $k i32) (param $n i32) (param $v v128)
    (local $p i32)
    (local.set $p (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (if (i32.le_u (i32.add (local.get $k) (i32.const 4)) (local.get $n))
      (then (v128.store align=4 (local.get $p) (local.get $v)))
      (else
        (if (i32.lt_u (local.get $k) (local.get $n))
          (then (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $v)))))
        (if (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $n))
          (then (f32.store offset=4 (local.get $p) (f32x4.extract_lane 1 (local.get $v)))))
        (if (i32.lt_u (i32.add (local.get $k) (i32.const 2)) (local.get $n))
          (then (f32.store offset=8 (local.get $p) (f32x4.extract_lane 2 (local.get $v))))))))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  (func $hmax (param $v v128) (result f32)
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.max (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; ---------------------------------------------------------------- mixture density network

;; The mean negative log density of scalar targets under B rows of the MixtureDensity layout
  ;; [μ (K), σ (K), logits (K)] (P = 3K), with its gradient for an upstream gradient of 1:
  ;;   log p_b = logSumExp_k(logSoftmax(l)_k − ½z_k² − ln σ_k − ½ln 2π),  z_k = (y_b − μ_k)/σ_k,
  ;; dp [B, P] and dy [B] are ∂(−mean log p)/∂(params, y); Σ_b log p_b is stored at total (f64).
  ;; Float32 lanes over the components, K4 = K rounded up to a multiple of 4. scratch: 8·K4
  ;; floats; when K is not a multiple of 4 each row is copied into it with neutral padding
  ;; (μ 0, σ 1, logit −∞) and its gradients copied back. Returns 1 (total not written) when a σ is
  ;; not a positive normal float32 (the caller then runs its float64 loop).
  (func (export "mdn_nll") (param $p i32) (param $y i32) (param $dp i32) (param $dy i32)
    (param $B i32) (param $K i32) (param $scratch i32) (param $total i32) (result i32)
    (local $b i32) (local $k i32) (local $K4 i32) (local $kb i32) (local $k4b i32) (local $P4 i32) (local $padded i32)
    (local $mu i32) (local $sg i32) (local $lg i32) (local $dmu i32) (local $dsg i32) (local $dlg i32) (local $es i32) (local $rs i32)
    (local $ys v128) (local $acc v128) (local $v v128) (local $sv v128) (local $inv v128) (local $z v128) (local $gr v128) (local $ok v128)
    (local $maxl f32) (local $se f32) (local $lse f32) (local $maxc f32) (local $sr f32) (local $ie f32) (local $ir f32) (local $gb f32)
    (local $sum f64)
    (local.set $K4 (i32.and (i32.add (local.get $K) (i32.const 3)) (i32.const -4)))
    (local.set $kb (i32.shl (local.get $K) (i32.const 2)))
    (local.set $k4b (i32.shl (local.get $K4) (i32.const 2)))
    (local.set $P4 (i32.mul (local.get $kb) (i32.const 3)))
    (local.set $padded (i32.ne (local.get $K) (local.get $K4)))
    (local.set $es (i32.add (local.get $scratch) (i32.mul (local.get $k4b) (i32.const 6))))
    (local.set $rs (i32.add (local.get $scratch) (i32.mul (local.get $k4b) (i32.const 7))))
    (local.set $gb (f32.div (f32.const -1) (f32.convert_i32_u (local.get $B))))
    (local.set $ok (i32x4.splat (i32.const -1)))
    (if (local.get $padded)
      (then
        ;; neutral lanes past K: μ 0, σ 1, logit −∞ (rows copy over the first K only)
        (local.set $k (local.get $K))
        (block $pd (loop $pl
          (br_if $pd (i32.ge_u (local.get $k) (local.get $K4)))
          (f32.store (i32.add (local.get $scratch) (i32.shl (local.get $k) (i32.const 2))) (f32.const 0))
          (f32.store (i32.add (i32.add (local.get $scratch) (local.get $k4b)) (i32.shl (local.get $k) (i32.const 2))) (f32.const 1))
          (f32.store (i32.add (i32.add (local.get $scratch) (i32.shl (local.get $k4b) (i32.const 1))) (i32.shl (local.get $k) (i32.const 2))) (f32.const -inf))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $pl)))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (if (local.get $padded)
          (then
            (local.set $mu (local.get $scratch))
            (local.set $sg (i32.add (local.get $scratch) (local.get $k4b)))
            (local.set $lg (i32.add (local.get $scratch) (i32.shl (local.get $k4b) (i32.const 1))))
            (local.set $dmu (i32.add (local.get $scratch) (i32.mul (local.get $k4b) (i32.const 3))))
            (local.set $dsg (i32.add (local.get $scratch) (i32.shl (local.get $k4b) (i32.const 2))))
            (local.set $dlg (i32.add (local.get $scratch) (i32.mul (local.get $k4b) (i32.const 5))))
            (memory.copy (local.get $mu) (i32.add (local.get $p) (i32.mul (local.get $b) (local.get $P4))) (local.get $kb))
            (memory.copy (local.get $sg) (i32.add (i32.add (local.get $p) (i32.mul (local.get $b) (local.get $P4))) (local.get $kb)) (local.get $kb))
            (memory.copy (local.get $lg) (i32.add (i32.add (local.get $p) (i32.mul (local.get $b) (local.get $P4))) (i32.shl (local.get $kb) (i32.const 1))) (local.get $kb)))
          (else
            (local.set $mu (i32.add (local.get $p) (i32.mul (local.get $b) (local.get $P4))))
            (local.set $sg (i32.add (local.get $mu) (local.get $kb)))
            (local.set $lg (i32.add (local.get $sg) (local.get $kb)))
            (local.set $dmu (i32.add (local.get $dp) (i32.mul (local.get $b) (local.get $P4))))
            (local.set $dsg (i32.add (local.get $dmu) (local.get $kb)))
            (local.set $dlg (i32.add (local.get $dsg) (local.get $kb)))))
        (local.set $ys (f32x4.splat (f32.load (i32.add (local.get $y) (i32.shl (local.get $b) (i32.const 2))))))
        ;; max logit
        (local.set $acc (f32x4.splat (f32.const -inf)))
        (local.set $k (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $k) (local.get $k4b)))
          (local.set $acc (f32x4.max (local.get $acc) (v128.load align=4 (i32.add (local.get $lg) (local.get $k)))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $l1)))
        (local.set $maxl (call $hmax (local.get $acc)))
        ;; e_k = exp(l_k − max l), Σ e
        (local.set $acc (f32x4.splat (f32.const 0)))
        (local.set $k (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $k) (local.get $k4b)))
          (local.set $v (call $exp4 (f32x4.sub (v128.load align=4 (i32.add (local.get $lg) (local.get $k))) (f32x4.splat (local.get $maxl)))))
          (v128.store align=4 (i32.add (local.get $es) (local.get $k)) (local.get $v))
          (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $l2)))
        (local.set $se (call $hsum (local.get $acc)))
        (local.set $lse (f32.add (local.get $maxl) (f32x4.extract_lane 0 (call $log4 (f32x4.splat (local.get $se))))))
        ;; c_k (into r) and its max; σ must be a positive normal float
        (local.set $acc (f32x4.splat (f32.const -inf)))
        (local.set $k (i32.const 0))
        (block $d3 (loop $l3
          (br_if $d3 (i32.ge_u (local.get $k) (local.get $k4b)))
          (local.set $sv (v128.load align=4 (i32.add (local.get $sg) (local.get $k))))
          (local.set $ok (v128.and (local.get $ok)
            (v128.and (f32x4.ge (local.get $sv) (f32x4.splat (f32.const 0x1p-126))) (f32x4.lt (local.get $sv) (f32x4.splat (f32.const inf))))))
          (local.set $z (f32x4.div (f32x4.sub (local.get $ys) (v128.load align=4 (i32.add (local.get $mu) (local.get $k)))) (local.get $sv)))
          (local.set $v
            (f32x4.sub
              (f32x4.sub
                (f32x4.sub (v128.load align=4 (i32.add (local.get $lg) (local.get $k))) (f32x4.splat (local.get $lse)))
                (f32x4.mul (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $z) (local.get $z))))
              (f32x4.add (call $log4 (local.get $sv)) (f32x4.splat (f32.const 0.918938533)))))
          (v128.store align=4 (i32.add (local.get $rs) (local.get $k)) (local.get $v))
          (local.set $acc (f32x4.max (local.get $acc) (local.get $v)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $l3)))
        (if (i32.eqz (i32x4.all_true (local.get $ok))) (then (return (i32.const 1))))
        (local.set $maxc (call $hmax (local.get $acc)))
        ;; r_k = exp(c_k − max c), Σ r
        (local.set $acc (f32x4.splat (f32.const 0)))
        (local.set $k (i32.const 0))
        (block $d4 (loop $l4
          (br_if $d4 (i32.ge_u (local.get $k) (local.get $k4b)))
          (local.set $v (call $exp4 (f32x4.sub (v128.load align=4 (i32.add (local.get $rs) (local.get $k))) (f32x4.splat (local.get $maxc)))))
          (v128.store align=4 (i32.add (local.get $rs) (local.get $k)) (local.get $v))
          (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $l4)))
        (local.set $sr (call $hsum (local.get $acc)))
        (local.set $sum (f64.add (local.get $sum)
          (f64.promote_f32 (f32.add (local.get $maxc) (f32x4.extract_lane 0 (call $log4 (f32x4.splat (local.get $sr))))))))
        ;; gradients of −(1/B)·log p_b: logits gb·(r/Σr − e/Σe), μ gb·(r/Σr)·z/σ, σ gb·(r/Σr)·(z² − 1)/σ
        (local.set $ir (f32.div (local.get $gb) (local.get $sr)))
        (local.set $ie (f32.div (local.get $gb) (local.get $se)))
        (local.set $acc (f32x4.splat (f32.const 0)))
        (local.set $k (i32.const 0))
        (block $d5 (loop $l5
          (br_if $d5 (i32.ge_u (local.get $k) (local.get $k4b)))
          (local.set $gr (f32x4.mul (v128.load align=4 (i32.add (local.get $rs) (local.get $k))) (f32x4.splat (local.get $ir))))
          (v128.store align=4 (i32.add (local.get $dlg) (local.get $k))
            (f32x4.sub (local.get $gr) (f32x4.mul (v128.load align=4 (i32.add (local.get $es) (local.get $k))) (f32x4.splat (local.get $ie)))))
          (local.set $inv (f32x4.div (f32x4.splat (f32.const 1)) (v128.load align=4 (i32.add (local.get $sg) (local.get $k)))))
          (local.set $z (f32x4.mul (f32x4.sub (local.get $ys) (v128.load align=4 (i32.add (local.get $mu) (local.get $k)))) (local.get $inv)))
          (local.set $v (f32x4.mul (f32x4.mul (local.get $gr) (local.get $z)) (local.get $inv)))
          (v128.store align=4 (i32.add (local.get $dmu) (local.get $k)) (local.get $v))
          (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
          (v128.store align=4 (i32.add (local.get $dsg) (local.get $k))
            (f32x4.mul (f32x4.mul (local.get $gr) (f32x4.sub (f32x4.mul (local.get $z) (local.get $z)) (f32x4.splat (f32.const 1)))) (local.get $inv)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $l5)))
        (if (local.get $padded)
          (then
            (memory.copy (i32.add (local.get $dp) (i32.mul (local.get $b) (local.get $P4))) (local.get $dmu) (local.get $kb))
            (memory.copy (i32.add (i32.add (local.get $dp) (i32.mul (local.get $b) (local.get $P4))) (local.get $kb)) (local.get $dsg) (local.get $kb))
            (memory.copy (i32.add (i32.add (local.get $dp) (i32.mul (local.get $b) (local.get $P4))) (i32.shl (local.get $kb) (i32.const 1))) (local.get $dlg) (local.get $kb))))
        (f32.store (i32.add (local.get $dy) (i32.shl (local.get $b) (i32.const 2))) (f32.neg (call $hsum (local.get $acc))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
    (f64.store (local.get $total) (local.get $sum))
    (i32.const 0))

    ;; The MixtureDensity activation over rows of P values: columns [start, end) become
  ;; elu(z) + 1 + ε (as e^z + ε for z ≤ 0), the others are copied.
  (func (export "mdn_act") (param $z i32) (param $out i32) (param $rows i32) (param $P i32) (param $start i32) (param $end i32) (param $eps f32)
    (local $r i32) (local $k i32) (local $n i32) (local $zr i32) (local $or i32) (local $v v128)
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    (memory.copy (local.get $out) (local.get $z) (i32.shl (i32.mul (local.get $rows) (local.get $P)) (i32.const 2)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $zr (i32.add (local.get $z) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $P)) (local.get $start)) (i32.const 2))))
      (local.set $or (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $P)) (local.get $start)) (i32.const 2))))
      (local.set $k (i32.const 0))
      (block $kd (loop $kl
        (br_if $kd (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $v (call $ld (local.get $zr) (local.get $k) (local.get $n) (f32.const 0)))
        (call $st (local.get $or) (local.get $k) (local.get $n)
          (v128.bitselect
            (f32x4.add (local.get $v) (f32x4.splat (f32.add (f32.const 1) (local.get $eps))))
            (f32x4.add (call $exp4 (f32x4.min (local.get $v) (f32x4.splat (f32.const 0)))) (f32x4.splat (local.get $eps)))
            (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0)))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $kl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; Its gradient from the output: dz = dy where out − ε > 1 (z > 0), dy·(out − ε) (= dy·e^z)
  ;; elsewhere in [start, end); dz = dy in the other columns.
  (func (export "mdn_act_grad") (param $dy i32) (param $o i32) (param $dz i32) (param $rows i32) (param $P i32) (param $start i32) (param $end i32) (param $eps f32)
    (local $r i32) (local $k i32) (local $n i32) (local $off i32) (local $e v128) (local $d v128)
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    (memory.copy (local.get $dz) (local.get $dy) (i32.shl (i32.mul (local.get $rows) (local.get $P)) (i32.const 2)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $off (i32.shl (i32.add (i32.mul (local.get $r) (local.get $P)) (local.get $start)) (i32.const 2)))
      (local.set $k (i32.const 0))
      (block $kd (loop $kl
        (br_if $kd (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $e (f32x4.sub (call $ld (i32.add (local.get $o) (local.get $off)) (local.get $k) (local.get $n) (f32.const 0)) (f32x4.splat (local.get $eps))))
        (local.set $d (call $ld (i32.add (local.get $dy) (local.get $off)) (local.get $k) (local.get $n) (f32.const 0)))
        (call $st (i32.add (local.get $dz) (local.get $off)) (local.get $k) (local.get $n)
          (v128.bitselect (local.get $d) (f32x4.mul (local.get $d) (local.get $e)) (f32x4.gt (local.get $e) (f32x4.splat (f32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $kl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; ---------------------------------------------------------------- matrix product

  ;; C = A·B (+ bias, then relu if relu ≠ 0) for row-major float32 A [M, K], B [K, N], C [M, N],
  ;; bias [N] or 0. 4×8 tiles of C in registers (8 f32x4 accumulators), B read in place (no
  ;; packing: in training B changes every step), then a 4×4 tile, then single rows and columns.
  ;; Each output is Σ_k in order of k (then + bias): the same sum as XNNPACK's, so the same bits.
  (func (export "gemm") (param $A i32) (param $B i32) (param $C i32) (param $M i32) (param $K i32) (param $N i32)
    (param $bias i32) (param $relu i32)
    (local $ars i32) (local $aks i32)
    (local $i i32) (local $j i32) (local $k i32) (local $M4 i32) (local $N8 i32) (local $N4 i32)
    (local $ap i32) (local $bp i32) (local $cp i32) (local $Kb i32) (local $Nb i32)
    (local $b0 v128) (local $b1 v128) (local $a v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $s f32)
    (local.set $M4 (i32.and (local.get $M) (i32.const -4)))
    (local.set $N8 (i32.and (local.get $N) (i32.const -8)))
    (local.set $N4 (i32.and (local.get $N) (i32.const -4)))
    (local.set $Kb (i32.shl (local.get $K) (i32.const 2)))
    ;; A's byte strides between rows and along k (row-major [M, K])
    (local.set $ars (local.get $Kb))
    (local.set $aks (i32.const 4))
    (local.set $Nb (i32.shl (local.get $N) (i32.const 2)))
    ;; rows in fours
    (local.set $i (i32.const 0))
    (block $id (loop $il
      (br_if $id (i32.ge_u (local.get $i) (local.get $M4)))
      (local.set $j (i32.const 0))
      ;; 4x8 tiles
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j) (local.get $N8)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $ap (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $ars))))
        (local.set $bp (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (i32.const 0))
        (block $kd (loop $kl
          (br_if $kd (i32.ge_u (local.get $k) (local.get $K)))
          (local.set $b0 (v128.load align=4 (local.get $bp)))
          (local.set $b1 (v128.load offset=16 align=4 (local.get $bp)))
          (local.set $a (v128.load32_splat (local.get $ap)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat (i32.add (local.get $ap) (local.get $ars))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat (i32.add (local.get $ap) (i32.shl (local.get $ars) (i32.const 1)))))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat (i32.add (local.get $ap) (i32.mul (local.get $ars) (i32.const 3)))))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aks)))
          (local.set $bp (i32.add (local.get $bp) (local.get $Nb)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl)))
        (local.set $cp (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
        ;; epilogue: + bias, relu, store
        (if (local.get $bias)
          (then
            (local.set $b0 (v128.load align=4 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $b1 (v128.load offset=16 align=4 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $c00 (f32x4.add (local.get $c00) (local.get $b0))) (local.set $c01 (f32x4.add (local.get $c01) (local.get $b1)))
            (local.set $c10 (f32x4.add (local.get $c10) (local.get $b0))) (local.set $c11 (f32x4.add (local.get $c11) (local.get $b1)))
            (local.set $c20 (f32x4.add (local.get $c20) (local.get $b0))) (local.set $c21 (f32x4.add (local.get $c21) (local.get $b1)))
            (local.set $c30 (f32x4.add (local.get $c30) (local.get $b0))) (local.set $c31 (f32x4.add (local.get $c31) (local.get $b1)))
          ))
        (if (local.get $relu)
          (then
            (local.set $c00 (f32x4.max (local.get $c00) (v128.const i32x4 0 0 0 0))) (local.set $c01 (f32x4.max (local.get $c01) (v128.const i32x4 0 0 0 0)))
            (local.set $c10 (f32x4.max (local.get $c10) (v128.const i32x4 0 0 0 0))) (local.set $c11 (f32x4.max (local.get $c11) (v128.const i32x4 0 0 0 0)))
            (local.set $c20 (f32x4.max (local.get $c20) (v128.const i32x4 0 0 0 0))) (local.set $c21 (f32x4.max (local.get $c21) (v128.const i32x4 0 0 0 0)))
            (local.set $c30 (f32x4.max (local.get $c30) (v128.const i32x4 0 0 0 0))) (local.set $c31 (f32x4.max (local.get $c31) (v128.const i32x4 0 0 0 0)))
          ))
        (v128.store align=4 (local.get $cp) (local.get $c00)) (v128.store offset=16 align=4 (local.get $cp) (local.get $c01))
        (v128.store align=4 (i32.add (local.get $cp) (local.get $Nb)) (local.get $c10)) (v128.store offset=16 align=4 (i32.add (local.get $cp) (local.get $Nb)) (local.get $c11))
        (v128.store align=4 (i32.add (local.get $cp) (i32.shl (local.get $Nb) (i32.const 1))) (local.get $c20)) (v128.store offset=16 align=4 (i32.add (local.get $cp) (i32.shl (local.get $Nb) (i32.const 1))) (local.get $c21))
        (v128.store align=4 (i32.add (local.get $cp) (i32.mul (local.get $Nb) (i32.const 3))) (local.get $c30)) (v128.store offset=16 align=4 (i32.add (local.get $cp) (i32.mul (local.get $Nb) (i32.const 3))) (local.get $c31))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $jl)))
;; a 4x4 tile when at least four columns remain
      (if (i32.lt_u (local.get $j) (local.get $N4))
        (then
          (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c10 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c30 (v128.const i32x4 0 0 0 0))
          (local.set $ap (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $ars))))
          (local.set $bp (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $k (i32.const 0))
          (block $kd4 (loop $kl4
            (br_if $kd4 (i32.ge_u (local.get $k) (local.get $K)))
            (local.set $b0 (v128.load align=4 (local.get $bp)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (local.get $ap)) (local.get $b0))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (v128.load32_splat (i32.add (local.get $ap) (local.get $ars))) (local.get $b0))))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (v128.load32_splat (i32.add (local.get $ap) (i32.shl (local.get $ars) (i32.const 1)))) (local.get $b0))))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (v128.load32_splat (i32.add (local.get $ap) (i32.mul (local.get $ars) (i32.const 3)))) (local.get $b0))))
            (local.set $ap (i32.add (local.get $ap) (local.get $aks)))
            (local.set $bp (i32.add (local.get $bp) (local.get $Nb)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $kl4)))
          (local.set $cp (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
          (call $out4 (local.get $cp) (local.get $bias) (local.get $j) (local.get $relu) (local.get $c00))
          (call $out4 (i32.add (local.get $cp) (local.get $Nb)) (local.get $bias) (local.get $j) (local.get $relu) (local.get $c10))
          (call $out4 (i32.add (local.get $cp) (i32.shl (local.get $Nb) (i32.const 1))) (local.get $bias) (local.get $j) (local.get $relu) (local.get $c20))
          (call $out4 (i32.add (local.get $cp) (i32.mul (local.get $Nb) (i32.const 3))) (local.get $bias) (local.get $j) (local.get $relu) (local.get $c30))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))))
      ;; remaining columns of these four rows, one at a time
      (block $jd2 (loop $jl2
        (br_if $jd2 (i32.ge_u (local.get $j) (local.get $N)))
        (call $dot1 (local.get $ars) (local.get $aks) (local.get $A) (local.get $B) (local.get $C) (local.get $i) (local.get $j) (local.get $K) (local.get $N) (local.get $bias) (local.get $relu))
        (call $dot1 (local.get $ars) (local.get $aks) (local.get $A) (local.get $B) (local.get $C) (i32.add (local.get $i) (i32.const 1)) (local.get $j) (local.get $K) (local.get $N) (local.get $bias) (local.get $relu))
        (call $dot1 (local.get $ars) (local.get $aks) (local.get $A) (local.get $B) (local.get $C) (i32.add (local.get $i) (i32.const 2)) (local.get $j) (local.get $K) (local.get $N) (local.get $bias) (local.get $relu))
        (call $dot1 (local.get $ars) (local.get $aks) (local.get $A) (local.get $B) (local.get $C) (i32.add (local.get $i) (i32.const 3)) (local.get $j) (local.get $K) (local.get $N) (local.get $bias) (local.get $relu))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl2)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $il)))
    ;; remaining rows: one row, 4 columns at a time, then single columns
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $i) (local.get $M)))
      (local.set $j (i32.const 0))
      (block $jd3 (loop $jl3
        (br_if $jd3 (i32.ge_u (local.get $j) (local.get $N4)))
        (local.set $c00 (v128.const i32x4 0 0 0 0))
        (local.set $ap (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $ars))))
        (local.set $bp (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (i32.const 0))
        (block $kd3 (loop $kl3
          (br_if $kd3 (i32.ge_u (local.get $k) (local.get $K)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (local.get $ap)) (v128.load align=4 (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aks)))
          (local.set $bp (i32.add (local.get $bp) (local.get $Nb)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl3)))
        (call $out4 (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2)))
          (local.get $bias) (local.get $j) (local.get $relu) (local.get $c00))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jl3)))
      (block $jd4 (loop $jl4
        (br_if $jd4 (i32.ge_u (local.get $j) (local.get $N)))
        (call $dot1 (local.get $ars) (local.get $aks) (local.get $A) (local.get $B) (local.get $C) (local.get $i) (local.get $j) (local.get $K) (local.get $N) (local.get $bias) (local.get $relu))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rl))))

  ;; gemm's epilogue for 4 outputs at cp (columns j..j+3): + bias, relu.
  (func $out4 (param $cp i32) (param $bias i32) (param $j i32) (param $relu i32) (param $v v128)
    (if (local.get $bias)
      (then (local.set $v (f32x4.add (local.get $v) (v128.load align=4 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))))
    (if (local.get $relu)
      (then (local.set $v (f32x4.max (local.get $v) (v128.const i32x4 0 0 0 0)))))
    (v128.store align=4 (local.get $cp) (local.get $v)))

  ;; One output C[i, j] (+ bias, relu) as a plain dot product.
  (func $dot1 (param $ars i32) (param $aks i32) (param $A i32) (param $B i32) (param $C i32) (param $i i32) (param $j i32) (param $K i32) (param $N i32) (param $bias i32) (param $relu i32)
    (local $k i32) (local $s f32)
    (block $kd (loop $kl
      (br_if $kd (i32.ge_u (local.get $k) (local.get $K)))
      (local.set $s (f32.add (local.get $s)
        (f32.mul
          (f32.load (i32.add (local.get $A) (i32.add (i32.mul (local.get $i) (local.get $ars)) (i32.mul (local.get $k) (local.get $aks)))))
          (f32.load (i32.add (local.get $B) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $N)) (local.get $j)) (i32.const 2)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $kl)))
    (if (local.get $bias)
      (then (local.set $s (f32.add (local.get $s) (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))))
    (if (local.get $relu) (then (local.set $s (f32.max (local.get $s) (f32.const 0)))))
    (f32.store (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))) (local.get $s)))

  ;; ---------------------------------------------------------------- MixtureNormal layout

  ;; ln(1 + u) in float32 lanes for u ≥ 0, accurate also where 1 + u rounds (Goldberg's trick:
  ;; ln(w) · u / (w − 1) with w = fl(1 + u) cancels the rounding of w; u itself where w = 1).
  (func $log1p4 (param $u v128) (result v128)
    (local $w v128) (local $d v128)
    (local.set $w (f32x4.add (f32x4.splat (f32.const 1)) (local.get $u)))
    (local.set $d (f32x4.sub (local.get $w) (f32x4.splat (f32.const 1))))
    (v128.bitselect
      (local.get $u)
      (f32x4.mul (call $log4 (local.get $w)) (f32x4.div (local.get $u) (local.get $d)))
      (f32x4.eq (local.get $d) (v128.const i32x4 0 0 0 0))))

  ;; softplus(x) = ln(1 + eˣ) in float32 lanes: max(x, 0) + ln1p(e^−|x|). (ln(1 + e^−|x|) in
  ;; float32 loses up to all digits of a small e^−|x| to the rounding of 1 + e^−|x|: a scale
  ;; softplus(−8) came out 2e-4 off relatively, softplus(−15) up to 20%.)
  (func $softplus4 (param $x v128) (result v128)
    (f32x4.add
      (f32x4.max (local.get $x) (v128.const i32x4 0 0 0 0))
      (call $log1p4 (call $exp4 (f32x4.neg (f32x4.abs (local.get $x)))))))

  ;; 1 / (1 + e⁻ˣ) in float32 lanes.
  (func $sigmoid4 (param $x v128) (result v128)
    (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (call $exp4 (f32x4.neg (local.get $x))))))

  ;; MixtureNormal rows [logits (K), K × (μ, raw σ)] (scalar events) to the MixtureDensity layout
  ;; [μ (K), σ = softplus(raw) (K), logits (K)] for mdn_nll.
  (func (export "mixnormal_to_mdn") (param $p i32) (param $out i32) (param $B i32) (param $K i32)
    (local $b i32) (local $k i32) (local $src i32) (local $dst i32)
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $src (i32.add (local.get $p) (i32.mul (local.get $b) (i32.mul (local.get $K) (i32.const 12)))))
      (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $b) (i32.mul (local.get $K) (i32.const 12)))))
      ;; logits to the last block
      (memory.copy (i32.add (local.get $dst) (i32.shl (local.get $K) (i32.const 3))) (local.get $src) (i32.shl (local.get $K) (i32.const 2)))
      (local.set $k (i32.const 0))
      (block $kd (loop $kl
        (br_if $kd (i32.ge_u (local.get $k) (local.get $K)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $K) (i32.shl (local.get $k) (i32.const 1))) (i32.const 2)))))
        (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (local.get $K) (local.get $k)) (i32.const 2)))
          (f32x4.extract_lane 0 (call $softplus4 (v128.load32_splat
            (i32.add (local.get $src) (i32.shl (i32.add (local.get $K) (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 1))) (i32.const 2)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))

  ;; Gradients in the MixtureDensity layout (d [B, 3K]) back to the MixtureNormal raw rows:
  ;; logits and μ moved, raw σ times softplus' = sigmoid(raw) (raw read from p).
  (func (export "mdn_grad_to_mixnormal") (param $p i32) (param $d i32) (param $dp i32) (param $B i32) (param $K i32)
    (local $b i32) (local $k i32) (local $src i32) (local $row i32) (local $dst i32) (local $raw i32)
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $row (i32.mul (local.get $b) (i32.mul (local.get $K) (i32.const 12))))
      (local.set $src (i32.add (local.get $d) (local.get $row)))
      (local.set $dst (i32.add (local.get $dp) (local.get $row)))
      (memory.copy (local.get $dst) (i32.add (local.get $src) (i32.shl (local.get $K) (i32.const 3))) (i32.shl (local.get $K) (i32.const 2)))
      (local.set $k (i32.const 0))
      (block $kd (loop $kl
        (br_if $kd (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $raw (i32.shl (i32.add (local.get $K) (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 1))) (i32.const 2)))
        (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (local.get $K) (i32.shl (local.get $k) (i32.const 1))) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (local.get $k) (i32.const 2)))))
        (f32.store (i32.add (local.get $dst) (local.get $raw))
          (f32.mul
            (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $K) (local.get $k)) (i32.const 2))))
            (f32x4.extract_lane 0 (call $sigmoid4 (v128.load32_splat (i32.add (i32.add (local.get $p) (local.get $row)) (local.get $raw)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))
)
