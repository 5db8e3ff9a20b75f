;; The inner loops of softmax-head training (softmax.ts), in WebAssembly SIMD: four float32 lanes at a time, two
;; accumulators (eight floats) per step so that adds overlap. Plain SIMD only (no relaxed or fused ops), so every
;; engine computes the same bits. Build: `npm run build:kernels` writes kernels.wasm.ts from this file.
;;
;; Layout (all pointers are byte offsets into the exported memory): a head's weights are C rows of `width` floats,
;; `dense` dense weights then the sparse ones; an example is `dense` floats, and its sparse part `ns` pairs of an
;; index (i32, into the sparse part) and a value (f32).
(module
  (memory (export "memory") 1)

  ;; Sum of a[i] * b[i] for i < n.
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $acc0 v128) (local $acc1 v128) (local $i i32) (local $end i32) (local $s f32)
    (local.set $acc0 (v128.const f32x4 0 0 0 0))
    (local.set $acc1 (v128.const f32x4 0 0 0 0))
    (local.set $end (i32.and (local.get $n) (i32.const -8)))
    (block $done8
      (loop $l8
        (br_if $done8 (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $acc0
          (f32x4.add (local.get $acc0)
            (f32x4.mul
              (v128.load align=4 (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))
              (v128.load align=4 (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $acc1
          (f32x4.add (local.get $acc1)
            (f32x4.mul
              (v128.load offset=16 align=4 (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))
              (v128.load offset=16 align=4 (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $l8)))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (local.set $s
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s
          (f32.add (local.get $s)
            (f32.mul
              (f32.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))
              (f32.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; out[c] = b[c] + w[c]·x (dense) + Σ w[c][dense + si[k]] · sv[k], for c < C.
  (func (export "logits")
    (param $w i32) (param $b i32) (param $C i32) (param $width i32) (param $dense i32)
    (param $x i32) (param $sp i32) (param $ns i32) (param $out i32)
    (local $c i32) (local $row i32) (local $s f32) (local $k i32) (local $pair i32)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $c) (local.get $C)))
        (local.set $row (i32.add (local.get $w) (i32.shl (i32.mul (local.get $c) (local.get $width)) (i32.const 2))))
        (local.set $s
          (f32.add
            (f32.load (i32.add (local.get $b) (i32.shl (local.get $c) (i32.const 2))))
            (call $dot (local.get $row) (local.get $x) (local.get $dense))))
        (local.set $k (i32.const 0))
        (block $sdone
          (loop $sparse
            (br_if $sdone (i32.ge_u (local.get $k) (local.get $ns)))
            (local.set $pair (i32.add (local.get $sp) (i32.shl (local.get $k) (i32.const 3))))
            (local.set $s
              (f32.add (local.get $s)
                (f32.mul
                  (f32.load
                    (i32.add (local.get $row)
                      (i32.shl (i32.add (local.get $dense) (i32.load (local.get $pair))) (i32.const 2))))
                  (f32.load offset=4 (local.get $pair)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $sparse)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (local.get $s))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $rows))))

  ;; For each of the `na` active classes (class index at active[t], gradient scale at scales[t]):
  ;; gw[c] += scale · x, over the dense part and the example's sparse pairs.
  (func (export "accumulate")
    (param $gw i32) (param $width i32) (param $dense i32) (param $x i32) (param $sp i32) (param $ns i32)
    (param $active i32) (param $scales i32) (param $na i32)
    (local $t i32) (local $row i32) (local $g f32) (local $gv v128) (local $i i32) (local $end i32)
    (local $at i32) (local $k i32) (local $pair i32)
    (local.set $end (i32.and (local.get $dense) (i32.const -4)))
    (block $done
      (loop $classes
        (br_if $done (i32.ge_u (local.get $t) (local.get $na)))
        (local.set $row
          (i32.add (local.get $gw)
            (i32.shl
              (i32.mul (i32.load (i32.add (local.get $active) (i32.shl (local.get $t) (i32.const 2)))) (local.get $width))
              (i32.const 2))))
        (local.set $g (f32.load (i32.add (local.get $scales) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $gv (f32x4.splat (local.get $g)))
        (local.set $i (i32.const 0))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
            (v128.store align=4 (local.get $at)
              (f32x4.add (v128.load align=4 (local.get $at))
                (f32x4.mul (local.get $gv)
                  (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $vec)))
        (block $tdone
          (loop $tail
            (br_if $tdone (i32.ge_u (local.get $i) (local.get $dense)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
            (f32.store (local.get $at)
              (f32.add (f32.load (local.get $at))
                (f32.mul (local.get $g) (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $tail)))
        (local.set $k (i32.const 0))
        (block $sdone
          (loop $sparse
            (br_if $sdone (i32.ge_u (local.get $k) (local.get $ns)))
            (local.set $pair (i32.add (local.get $sp) (i32.shl (local.get $k) (i32.const 3))))
            (local.set $at
              (i32.add (local.get $row)
                (i32.shl (i32.add (local.get $dense) (i32.load (local.get $pair))) (i32.const 2))))
            (f32.store (local.get $at)
              (f32.add (f32.load (local.get $at)) (f32.mul (local.get $g) (f32.load offset=4 (local.get $pair)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $sparse)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $classes))))

  ;; One Adam step over n weights, the L2 penalty added to each gradient, which is then cleared:
  ;; g = gw + l2·w; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w −= a·m / (√v·k + 1e-8); gw = 0.
  ;; (a = lr / (1 − β1^t) and k = 1 / √(1 − β2^t): the bias corrections, folded in by the caller.)
  (func (export "adam")
    (param $w i32) (param $gw i32) (param $mw i32) (param $vw i32) (param $n i32)
    (param $l2 f32) (param $b1 f32) (param $b2 f32) (param $a f32) (param $k f32)
    (local $i i32) (local $end i32) (local $o i32)
    (local $g v128) (local $m v128) (local $v v128) (local $wv v128)
    (local $l2v v128) (local $b1v v128) (local $c1v v128) (local $b2v v128) (local $c2v v128)
    (local $av v128) (local $kv v128) (local $eps v128)
    (local $gs f32) (local $ms f32) (local $vs f32) (local $ws f32)
    (local.set $l2v (f32x4.splat (local.get $l2)))
    (local.set $b1v (f32x4.splat (local.get $b1)))
    (local.set $c1v (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $b2v (f32x4.splat (local.get $b2)))
    (local.set $c2v (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $kv (f32x4.splat (local.get $k)))
    (local.set $eps (f32x4.splat (f32.const 1e-8)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $wv (v128.load align=4 (i32.add (local.get $w) (local.get $o))))
        (local.set $g
          (f32x4.add (v128.load align=4 (i32.add (local.get $gw) (local.get $o)))
            (f32x4.mul (local.get $l2v) (local.get $wv))))
        (local.set $m
          (f32x4.add (f32x4.mul (local.get $b1v) (v128.load align=4 (i32.add (local.get $mw) (local.get $o))))
            (f32x4.mul (local.get $c1v) (local.get $g))))
        (local.set $v
          (f32x4.add (f32x4.mul (local.get $b2v) (v128.load align=4 (i32.add (local.get $vw) (local.get $o))))
            (f32x4.mul (local.get $c2v) (f32x4.mul (local.get $g) (local.get $g)))))
        (v128.store align=4 (i32.add (local.get $mw) (local.get $o)) (local.get $m))
        (v128.store align=4 (i32.add (local.get $vw) (local.get $o)) (local.get $v))
        (v128.store align=4 (i32.add (local.get $w) (local.get $o))
          (f32x4.sub (local.get $wv)
            (f32x4.div (f32x4.mul (local.get $av) (local.get $m))
              (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $v)) (local.get $kv)) (local.get $eps)))))
        (v128.store align=4 (i32.add (local.get $gw) (local.get $o)) (v128.const f32x4 0 0 0 0))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $tdone
      (loop $tail
        (br_if $tdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $ws (f32.load (i32.add (local.get $w) (local.get $o))))
        (local.set $gs
          (f32.add (f32.load (i32.add (local.get $gw) (local.get $o))) (f32.mul (local.get $l2) (local.get $ws))))
        (local.set $ms
          (f32.add (f32.mul (local.get $b1) (f32.load (i32.add (local.get $mw) (local.get $o))))
            (f32.mul (f32.sub (f32.const 1) (local.get $b1)) (local.get $gs))))
        (local.set $vs
          (f32.add (f32.mul (local.get $b2) (f32.load (i32.add (local.get $vw) (local.get $o))))
            (f32.mul (f32.sub (f32.const 1) (local.get $b2)) (f32.mul (local.get $gs) (local.get $gs)))))
        (f32.store (i32.add (local.get $mw) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $vw) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $w) (local.get $o))
          (f32.sub (local.get $ws)
            (f32.div (f32.mul (local.get $a) (local.get $ms))
              (f32.add (f32.mul (f32.sqrt (local.get $vs)) (local.get $k)) (f32.const 1e-8)))))
        (f32.store (i32.add (local.get $gw) (local.get $o)) (f32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))
)
