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
)
