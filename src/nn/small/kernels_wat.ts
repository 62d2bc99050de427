// The text of the small-kernel wasm module, generated here so that its unrolled variants are written
// once. `npm run build:kernels` compiles it (wabt) into kernels_wasm.ts; a test checks the two agree.
// Four kinds of kernel: gemm (below), the pointwise parts of the recurrent cells (CELLS) and of dense
// layers (DENSE), and Adam's update (OPTIMIZERS).
//
// gemm(a, sam, sak, b, c, M, K, N, init, initRow): C[M, N] = I + A·B on float32, where I is zero when
//   init < 0 and otherwise the [M, N] matrix at byte init with rows initRow bytes apart: C itself
//   (init = c, initRow = 4·N) to accumulate, or one row broadcast to every row (initRow = 0: a bias).
//   A's element (m, k) is at byte a + 4·(m·sam + k·sak): row-major A is (sam = K, sak = 1), and a
//   row-major matrix read transposed is (sam = 1, sak = its row length) — so A·B and Aᵀ·B are one
//   kernel. B is row-major [K, N] at byte b; C row-major [M, N] at byte c.
//   Each output sums its K products in order k = 0 … K − 1 (after C's value when accumulating), so a
//   result does not depend on the blocking: the same on every machine and for every batch split.
// The blocks: two rows of A against 16 columns of B (8 SIMD accumulators, B read once for both
// rows), then 4 columns, then single columns; an odd last row runs the same blocks on one row.

/** Rows of A in a block and columns of B (16, 4 or 1). */
type Block = { rows: 1 | 2; width: 16 | 4 | 1 };

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function block({ rows, width }: Block): string {
  const id = `${rows}x${width}`;
  const rs = range(rows);
  const vector = width >= 4;
  const vs = range(vector ? width / 4 : 1);
  const acc = (r: number, j: number) => `$c${r}${j}`;
  const cAddr = (r: number) => `(i32.add (local.get $pc${r}) (i32.shl (local.get $n) (i32.const 2)))`;
  const iAddr = (r: number) => `(i32.add (local.get $pi${r}) (i32.shl (local.get $n) (i32.const 2)))`;
  const fromInit = "(i32.ge_s (local.get $init) (i32.const 0))";
  const init = rs.flatMap((r) =>
    vs.map((j) =>
      vector
        ? `(local.set ${acc(r, j)} (if (result v128) ${fromInit} (then (v128.load offset=${16 * j} ${iAddr(r)})) (else (v128.const i32x4 0 0 0 0))))`
        : `(local.set $f${r} (if (result f32) ${fromInit} (then (f32.load ${iAddr(r)})) (else (f32.const 0))))`,
    ),
  );
  const splat = rs.map((r) =>
    vector
      ? `(local.set $s${r} (f32x4.splat (f32.load (local.get $pa${r}))))`
      : `(local.set $x${r} (f32.load (local.get $pa${r})))`,
  );
  const madd = vs.flatMap((j) =>
    vector
      ? [
          `(local.set $b${j} (v128.load offset=${16 * j} (local.get $pb)))`,
          ...rs.map(
            (r) =>
              `(local.set ${acc(r, j)} (f32x4.add (local.get ${acc(r, j)}) (f32x4.mul (local.get $s${r}) (local.get $b${j}))))`,
          ),
        ]
      : rs.map(
          (r) =>
            `(local.set $f${r} (f32.add (local.get $f${r}) (f32.mul (local.get $x${r}) (f32.load (local.get $pb)))))`,
        ),
  );
  const store = rs.flatMap((r) =>
    vs.map((j) =>
      vector
        ? `(v128.store offset=${16 * j} ${cAddr(r)} (local.get ${acc(r, j)}))`
        : `(f32.store ${cAddr(r)} (local.get $f${r}))`,
    ),
  );
  return `
      (block $done${id} (loop $next${id}
        (br_if $done${id} (i32.gt_u (i32.add (local.get $n) (i32.const ${width})) (local.get $N)))
        ${init.join("\n        ")}
        ${rs.map((r) => `(local.set $pa${r} (local.get $ra${r}))`).join(" ")}
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $k (local.get $K))
        (block $kdone${id} (loop $knext${id}
          (br_if $kdone${id} (i32.eqz (local.get $k)))
          ${splat.join("\n          ")}
          ${madd.join("\n          ")}
          ${rs.map((r) => `(local.set $pa${r} (i32.add (local.get $pa${r}) (local.get $stepA)))`).join(" ")}
          (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $knext${id})))
        ${store.join("\n        ")}
        (local.set $n (i32.add (local.get $n) (i32.const ${width})))
        (br $next${id})))`;
}

/** The blocks of one row group (1 or 2 rows of A) across all columns. */
function rowGroup(rows: 1 | 2): string {
  return `(local.set $n (i32.const 0))${([16, 4, 1] as const).map((width) => block({ rows, width })).join("")}`;
}

/** Row pointers of A and C for rows m … m + rows − 1. */
function rowPointers(rows: 1 | 2): string {
  return range(rows)
    .map(
      (r) =>
        `(local.set $ra${r} (i32.add (local.get $a) (i32.shl (i32.mul (i32.add (local.get $m) (i32.const ${r})) (local.get $sam)) (i32.const 2))))
      (local.set $pc${r} (i32.add (local.get $c) (i32.shl (i32.mul (i32.add (local.get $m) (i32.const ${r})) (local.get $N)) (i32.const 2))))
      (local.set $pi${r} (i32.add (local.get $init) (i32.mul (i32.add (local.get $m) (i32.const ${r})) (local.get $initRow))))`,
    )
    .join("\n      ");
}

const splat = (v: string) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;

/**
 * σ of K locals written into K others, inline (no call): the same operations per lane as `$sigmoid`,
 * so the same results, without the call's multi-value return (which V8 passes through memory).
 * Uses the locals `$sx{k} $sn{k} $sr{k} $sp{k}` (see {@link sigmoidInlineLocals}).
 */
function sigmoidInline(pairs: readonly [input: string, output: string][]): string {
  const ks = range(pairs.length);
  const step = (f: (k: number) => string) => ks.map(f).join("\n        ");
  return `${step((k) => `(local.set $sx${k} (f32x4.min (f32x4.max (f32x4.neg ${pairs[k][0]}) ${splat("-87.3")}) ${splat("88.3")}))`)}
        ${step((k) => `(local.set $sn${k} (f32x4.nearest (f32x4.mul (local.get $sx${k}) ${splat("1.44269504")})))`)}
        ${step((k) => `(local.set $sr${k} (f32x4.sub (local.get $sx${k}) (f32x4.mul (local.get $sn${k}) ${splat("0.693359375")})))`)}
        ${step((k) => `(local.set $sr${k} (f32x4.sub (local.get $sr${k}) (f32x4.mul (local.get $sn${k}) ${splat("-2.12194440e-4")})))`)}
        ${step((k) => `(local.set $sp${k} ${splat("1.9875691500e-4")})`)}
        ${["1.3981999507e-3", "8.3334519073e-3", "4.1665795894e-2", "1.6666665459e-1", "5.0000001201e-1"]
          .map((c) =>
            step(
              (k) =>
                `(local.set $sp${k} (f32x4.add (f32x4.mul (local.get $sp${k}) (local.get $sr${k})) ${splat(c)}))`,
            ),
          )
          .join("\n        ")}
        ${step((k) => `(local.set $sp${k} (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $sp${k}) (local.get $sr${k})) (local.get $sr${k})) (local.get $sr${k})) ${splat("1")}))`)}
        ${step((k) => `(local.set $sp${k} (f32x4.mul (local.get $sp${k}) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $sn${k})) (v128.const i32x4 127 127 127 127)) (i32.const 23))))`)}
        ${step((k) => `(local.set ${pairs[k][1]} (f32x4.div ${splat("1")} (f32x4.add ${splat("1")} (local.get $sp${k}))))`)}`;
}

/** The local declarations {@link sigmoidInline} of K pairs needs. */
function sigmoidInlineLocals(K: number): string {
  return range(K)
    .map((k) => `(local $sx${k} v128) (local $sn${k} v128) (local $sr${k} v128) (local $sp${k} v128)`)
    .join(" ");
}

// The cells' pointwise parts on 4 lanes at a time; H must be a multiple of 4 (callers check).
// exp is Cephes' expf (range reduction by ln 2, degree-6 polynomial; ≤ 2 ulp on [−87, 88], inputs
// clamped there); σ(x) = 1 / (1 + e^−x); tanh(x) = 2σ(2x) − 1 (absolute error ≤ 2e-7, as fastTanh).
// Pointers are byte offsets; layouts are row-major [B, G·H] with gate blocks of H.
const CELLS = () => `
  (func $exp (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)) (v128.const f32x4 88.3 88.3 88.3 88.3)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    ;; × 2^n: n + 127 into the exponent bits.
    (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.neg (local.get $x))))))
  (func $tanh (param $x v128) (result v128)
    (f32x4.sub (f32x4.mul (call $sigmoid (f32x4.add (local.get $x) (local.get $x))) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1)))
  (func (export "expInto") (param $x i32) (param $out i32) (param $n i32)
    ;; out[i] = exp(x[i]) for n values, n a multiple of 4 (for tests of the approximation).
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (v128.store (local.get $out) (call $exp (v128.load (local.get $x))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $next))))

  ;; LSTM forward, one step: z [B, 4H] pre-activations [i, f, o, g] in, activations out (in place);
  ;; c′ = σ(f)·cPrev + σ(i)·tanh(g), h′ = σ(o)·tanh(c′); writes c, h and tanh(c′) [B, H].
  (func $lstmCellForward (export "lstmCellForward") (param $z i32) (param $cp i32) (param $c i32) (param $h i32) (param $tc i32) (param $B i32) (param $H i32)
    (local $row i32) (local $j i32) (local $hb i32) (local $zi i32) (local $at i32)
    (local $i v128) (local $f v128) (local $o v128) (local $g v128) (local $cn v128) (local $t v128)
    ${sigmoidInlineLocals(4)}
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (block $rows (loop $nextRow
      (br_if $rows (i32.ge_s (local.get $row) (local.get $B)))
      (local.set $j (i32.const 0))
      (block $cols (loop $nextCol
        (br_if $cols (i32.ge_s (local.get $j) (local.get $H)))
        ;; zi: byte offset of gate i at (row, j); at: of (row, j) in [B, H].
        (local.set $zi (i32.add (local.get $z) (i32.shl (i32.add (i32.mul (local.get $row) (i32.shl (local.get $H) (i32.const 2))) (local.get $j)) (i32.const 2))))
        (local.set $at (i32.shl (i32.add (i32.mul (local.get $row) (local.get $H)) (local.get $j)) (i32.const 2)))
        ;; σ(i), σ(f), σ(o) and σ(2g), for tanh(g) = 2σ(2g) − 1, interleaved inline.
        (local.set $g (v128.load (i32.add (local.get $zi) (i32.mul (local.get $hb) (i32.const 3)))))
        (local.set $g (f32x4.add (local.get $g) (local.get $g)))
        ${sigmoidInline([
          ["(v128.load (local.get $zi))", "$i"],
          ["(v128.load (i32.add (local.get $zi) (local.get $hb)))", "$f"],
          ["(v128.load (i32.add (local.get $zi) (i32.shl (local.get $hb) (i32.const 1))))", "$o"],
          ["(local.get $g)", "$g"],
        ])}
        (local.set $g (f32x4.sub (f32x4.mul (local.get $g) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1)))
        (local.set $cn (f32x4.add (f32x4.mul (local.get $f) (v128.load (i32.add (local.get $cp) (local.get $at)))) (f32x4.mul (local.get $i) (local.get $g))))
        ;; tanh(c′) = 2σ(2c′) − 1, as $tanh.
        ${sigmoidInline([["(f32x4.add (local.get $cn) (local.get $cn))", "$t"]])}
        (local.set $t (f32x4.sub (f32x4.mul (local.get $t) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1)))
        (v128.store (i32.add (local.get $c) (local.get $at)) (local.get $cn))
        (v128.store (i32.add (local.get $h) (local.get $at)) (f32x4.mul (local.get $o) (local.get $t)))
        (v128.store (i32.add (local.get $tc) (local.get $at)) (local.get $t))
        (v128.store (local.get $zi) (local.get $i))
        (v128.store (i32.add (local.get $zi) (local.get $hb)) (local.get $f))
        (v128.store (i32.add (local.get $zi) (i32.shl (local.get $hb) (i32.const 1))) (local.get $o))
        (v128.store (i32.add (local.get $zi) (i32.mul (local.get $hb) (i32.const 3))) (local.get $g))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $nextCol)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $nextRow))))

  ;; LSTM backward, one step: from the gates [i, f, o, g] and tanh(c′), cPrev, dh (the gradient of h′,
  ;; all paths summed) and dc (of c′, in; of cPrev before masking, out), writes dz [B, 4H].
  (func $lstmCellBackward (export "lstmCellBackward") (param $gates i32) (param $tc i32) (param $cp i32) (param $dh i32) (param $dc i32) (param $dz i32) (param $B i32) (param $H i32)
    (local $row i32) (local $j i32) (local $hb i32) (local $gi i32) (local $di i32) (local $at i32)
    (local $i v128) (local $f v128) (local $o v128) (local $g v128) (local $t v128) (local $dhv v128) (local $dcv v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (block $rows (loop $nextRow
      (br_if $rows (i32.ge_s (local.get $row) (local.get $B)))
      (local.set $j (i32.const 0))
      (block $cols (loop $nextCol
        (br_if $cols (i32.ge_s (local.get $j) (local.get $H)))
        (local.set $gi (i32.shl (i32.add (i32.mul (local.get $row) (i32.shl (local.get $H) (i32.const 2))) (local.get $j)) (i32.const 2)))
        (local.set $di (i32.add (local.get $dz) (local.get $gi)))
        (local.set $gi (i32.add (local.get $gates) (local.get $gi)))
        (local.set $at (i32.shl (i32.add (i32.mul (local.get $row) (local.get $H)) (local.get $j)) (i32.const 2)))
        (local.set $i (v128.load (local.get $gi)))
        (local.set $f (v128.load (i32.add (local.get $gi) (local.get $hb))))
        (local.set $o (v128.load (i32.add (local.get $gi) (i32.shl (local.get $hb) (i32.const 1)))))
        (local.set $g (v128.load (i32.add (local.get $gi) (i32.mul (local.get $hb) (i32.const 3)))))
        (local.set $t (v128.load (i32.add (local.get $tc) (local.get $at))))
        (local.set $dhv (v128.load (i32.add (local.get $dh) (local.get $at))))
        ;; dc′ = dc + dh·o·(1 − tanh²(c′))
        (local.set $dcv (f32x4.add (v128.load (i32.add (local.get $dc) (local.get $at)))
          (f32x4.mul (f32x4.mul (local.get $dhv) (local.get $o)) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $t) (local.get $t))))))
        (v128.store (local.get $di) (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $g)) (local.get $i)) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $i))))
        (v128.store (i32.add (local.get $di) (local.get $hb)) (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dcv) (v128.load (i32.add (local.get $cp) (local.get $at)))) (local.get $f)) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $f))))
        (v128.store (i32.add (local.get $di) (i32.shl (local.get $hb) (i32.const 1))) (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dhv) (local.get $t)) (local.get $o)) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $o))))
        (v128.store (i32.add (local.get $di) (i32.mul (local.get $hb) (i32.const 3))) (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $i)) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $g) (local.get $g)))))
        (v128.store (i32.add (local.get $dc) (local.get $at)) (f32x4.mul (local.get $dcv) (local.get $f)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $nextCol)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $nextRow))))
  ;; GRU forward, one step (PyTorch's equations; gates [r, z, n]): from the input projection p [B, 3H]
  ;; (x·W + b), the recurrent one rec [B, 3H] (h·U, zeros where no state), the recurrent bias bh [3H]
  ;; and the masked previous state hp [B, H]: r = σ(p_r + (rec_r + bh_r)), z likewise,
  ;; n = tanh(p_n + r·(rec_n + bh_n)), h′ = n + z·(hp − n). Writes h′, the gates and rec_n + bh_n.
  (func $gruCellForward (export "gruCellForward") (param $p i32) (param $rec i32) (param $bh i32) (param $hp i32) (param $h i32) (param $gates i32) (param $recN i32) (param $B i32) (param $H i32)
    (local $row i32) (local $j i32) (local $hb i32) (local $gi i32) (local $at i32) (local $bj i32)
    (local $r v128) (local $z v128) (local $n v128) (local $rn v128) (local $hv v128)
    ${sigmoidInlineLocals(2)}
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (block $rows (loop $nextRow
      (br_if $rows (i32.ge_s (local.get $row) (local.get $B)))
      (local.set $j (i32.const 0))
      (block $cols (loop $nextCol
        (br_if $cols (i32.ge_s (local.get $j) (local.get $H)))
        (local.set $gi (i32.shl (i32.add (i32.mul (local.get $row) (i32.mul (local.get $H) (i32.const 3))) (local.get $j)) (i32.const 2)))
        (local.set $at (i32.shl (i32.add (i32.mul (local.get $row) (local.get $H)) (local.get $j)) (i32.const 2)))
        (local.set $bj (i32.add (local.get $bh) (i32.shl (local.get $j) (i32.const 2))))
        ${sigmoidInline([
          [
            "(f32x4.add (v128.load (i32.add (local.get $p) (local.get $gi))) (f32x4.add (v128.load (i32.add (local.get $rec) (local.get $gi))) (v128.load (local.get $bj))))",
            "$r",
          ],
          [
            "(f32x4.add (v128.load (i32.add (i32.add (local.get $p) (local.get $gi)) (local.get $hb))) (f32x4.add (v128.load (i32.add (i32.add (local.get $rec) (local.get $gi)) (local.get $hb))) (v128.load (i32.add (local.get $bj) (local.get $hb)))))",
            "$z",
          ],
        ])}
        (local.set $gi (i32.add (local.get $gi) (i32.shl (local.get $hb) (i32.const 1))))
        (local.set $rn (f32x4.add (v128.load (i32.add (local.get $rec) (local.get $gi))) (v128.load (i32.add (local.get $bj) (i32.shl (local.get $hb) (i32.const 1))))))
        ;; n = tanh(·) = 2σ(2·) − 1, as $tanh.
        (local.set $n (f32x4.add (v128.load (i32.add (local.get $p) (local.get $gi))) (f32x4.mul (local.get $r) (local.get $rn))))
        ${sigmoidInline([["(f32x4.add (local.get $n) (local.get $n))", "$n"]])}
        (local.set $n (f32x4.sub (f32x4.mul (local.get $n) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1)))
        (local.set $hv (v128.load (i32.add (local.get $hp) (local.get $at))))
        (v128.store (i32.add (local.get $h) (local.get $at)) (f32x4.add (local.get $n) (f32x4.mul (local.get $z) (f32x4.sub (local.get $hv) (local.get $n)))))
        (v128.store (i32.add (local.get $gates) (local.get $gi)) (local.get $n))
        (local.set $gi (i32.sub (local.get $gi) (local.get $hb)))
        (v128.store (i32.add (local.get $gates) (local.get $gi)) (local.get $z))
        (local.set $gi (i32.sub (local.get $gi) (local.get $hb)))
        (v128.store (i32.add (local.get $gates) (local.get $gi)) (local.get $r))
        (v128.store (i32.add (local.get $recN) (local.get $at)) (local.get $rn))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $nextCol)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $nextRow))))

  ;; GRU backward, one step: from the gates [r, z, n], rec_n + bh_n, hp and dOut (the gradient of h′),
  ;; writes dInput = [dr, dz, dn] (of the input pre-activations), dRec = [dr, dz, dn·r] (of h·U + bh)
  ;; and dHp = dOut·z (the direct path to hp; the caller adds dRec·Uᵀ).
  (func $gruCellBackward (export "gruCellBackward") (param $gates i32) (param $recN i32) (param $hp i32) (param $dOut i32) (param $dIn i32) (param $dRec i32) (param $dHp i32) (param $B i32) (param $H i32)
    (local $row i32) (local $j i32) (local $hb i32) (local $gi i32) (local $at i32)
    (local $r v128) (local $z v128) (local $n v128) (local $d v128) (local $dn v128) (local $dr v128) (local $dz v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (block $rows (loop $nextRow
      (br_if $rows (i32.ge_s (local.get $row) (local.get $B)))
      (local.set $j (i32.const 0))
      (block $cols (loop $nextCol
        (br_if $cols (i32.ge_s (local.get $j) (local.get $H)))
        (local.set $gi (i32.shl (i32.add (i32.mul (local.get $row) (i32.mul (local.get $H) (i32.const 3))) (local.get $j)) (i32.const 2)))
        (local.set $at (i32.shl (i32.add (i32.mul (local.get $row) (local.get $H)) (local.get $j)) (i32.const 2)))
        (local.set $r (v128.load (i32.add (local.get $gates) (local.get $gi))))
        (local.set $z (v128.load (i32.add (i32.add (local.get $gates) (local.get $gi)) (local.get $hb))))
        (local.set $n (v128.load (i32.add (i32.add (local.get $gates) (local.get $gi)) (i32.shl (local.get $hb) (i32.const 1)))))
        (local.set $d (v128.load (i32.add (local.get $dOut) (local.get $at))))
        (local.set $dn (f32x4.mul (f32x4.mul (local.get $d) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)))
          (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $n) (local.get $n)))))
        (local.set $dr (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dn) (v128.load (i32.add (local.get $recN) (local.get $at)))) (local.get $r))
          (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $r))))
        (local.set $dz (f32x4.mul (f32x4.mul (f32x4.mul (local.get $d) (f32x4.sub (v128.load (i32.add (local.get $hp) (local.get $at))) (local.get $n))) (local.get $z))
          (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z))))
        (v128.store (i32.add (local.get $dIn) (local.get $gi)) (local.get $dr))
        (v128.store (i32.add (local.get $dRec) (local.get $gi)) (local.get $dr))
        (local.set $gi (i32.add (local.get $gi) (local.get $hb)))
        (v128.store (i32.add (local.get $dIn) (local.get $gi)) (local.get $dz))
        (v128.store (i32.add (local.get $dRec) (local.get $gi)) (local.get $dz))
        (local.set $gi (i32.add (local.get $gi) (local.get $hb)))
        (v128.store (i32.add (local.get $dIn) (local.get $gi)) (local.get $dn))
        (v128.store (i32.add (local.get $dRec) (local.get $gi)) (f32x4.mul (local.get $dn) (local.get $r)))
        (v128.store (i32.add (local.get $dHp) (local.get $at)) (f32x4.mul (local.get $d) (local.get $z)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $nextCol)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $nextRow))))

  ;; The plain RNN's pointwise parts on n values (a multiple of 4): x ← tanh(x) in place, and
  ;; dx = dy·(1 − y²) for y = tanh(·).
  (func $tanhInPlace (export "tanhInPlace") (param $x i32) (param $n i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    ${sigmoidInlineLocals(4)}
    ;; 16 values at a time through σ inline (tanh(x) = 2σ(2x) − 1, as $tanh), then 4 at a time.
    (block $done16 (loop $next16
      (br_if $done16 (i32.lt_s (local.get $n) (i32.const 16)))
      (local.set $a (v128.load (local.get $x)))
      (local.set $b (v128.load offset=16 (local.get $x)))
      (local.set $c (v128.load offset=32 (local.get $x)))
      (local.set $d (v128.load offset=48 (local.get $x)))
      ${sigmoidInline([
        ["(f32x4.add (local.get $a) (local.get $a))", "$a"],
        ["(f32x4.add (local.get $b) (local.get $b))", "$b"],
        ["(f32x4.add (local.get $c) (local.get $c))", "$c"],
        ["(f32x4.add (local.get $d) (local.get $d))", "$d"],
      ])}
      (v128.store (local.get $x) (f32x4.sub (f32x4.mul (local.get $a) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1)))
      (v128.store offset=16 (local.get $x) (f32x4.sub (f32x4.mul (local.get $b) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1)))
      (v128.store offset=32 (local.get $x) (f32x4.sub (f32x4.mul (local.get $c) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1)))
      (v128.store offset=48 (local.get $x) (f32x4.sub (f32x4.mul (local.get $d) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1)))
      (local.set $x (i32.add (local.get $x) (i32.const 64)))
      (local.set $n (i32.sub (local.get $n) (i32.const 16)))
      (br $next16)))
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (v128.store (local.get $x) (call $tanh (v128.load (local.get $x))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $next))))
  (func $tanhBackward (export "tanhBackward") (param $y i32) (param $dy i32) (param $dx i32) (param $n i32)
    (local $v v128)
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (local.set $v (v128.load (local.get $y)))
      (v128.store (local.get $dx) (f32x4.mul (v128.load (local.get $dy)) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $v) (local.get $v)))))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $next))))
`;

/** An i8x16.shuffle taking float lanes `lanes` (0–3 from the first operand, 4–7 from the second). */
const floatShuffle = (lanes: number[], x: string, y: string) =>
  `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((b) => 4 * l + b)).join(" ")} ${x} ${y})`;

// The pointwise parts of dense layers (dense_stack.ts): ReLU and its gradient, and the column sums
// that give a bias's gradient. Any length: 4 lanes at a time, then one at a time.
const DENSE = () => `
  (func (export "reluInPlace") (param $x i32) (param $n i32)
    (block $done (loop $next
      (br_if $done (i32.lt_s (local.get $n) (i32.const 4)))
      (v128.store (local.get $x) (f32x4.max (v128.load (local.get $x)) (v128.const f32x4 0 0 0 0)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $next)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.le_s (local.get $n) (i32.const 0)))
      (if (f32.lt (f32.load (local.get $x)) (f32.const 0)) (then (f32.store (local.get $x) (f32.const 0))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $tail))))
  (func (export "reluBackward") (param $y i32) (param $d i32) (param $n i32)
    (block $done (loop $next
      (br_if $done (i32.lt_s (local.get $n) (i32.const 4)))
      (v128.store (local.get $d) (v128.and (v128.load (local.get $d)) (f32x4.gt (v128.load (local.get $y)) (v128.const f32x4 0 0 0 0))))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $next)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.le_s (local.get $n) (i32.const 0)))
      (if (f32.le (f32.load (local.get $y)) (f32.const 0)) (then (f32.store (local.get $d) (f32.const 0))))
      (local.set $y (i32.add (local.get $y) (i32.const 4)))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $tail))))
  ;; transpose(src, R, C, dst): dst [C, R] = srcᵀ for src [R, C], 4 × 4 blocks by shuffles, then the
  ;; ragged right columns and bottom rows one value at a time.
  (func (export "transpose") (param $src i32) (param $R i32) (param $C i32) (param $dst i32)
    (local $r i32) (local $c i32) (local $R4 i32) (local $C4 i32) (local $p i32) (local $q i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $R4 (i32.and (local.get $R) (i32.const -4)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $nextRows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $R4)))
      (local.set $c (i32.const 0))
      (block $colsDone (loop $nextCols
        (br_if $colsDone (i32.ge_u (local.get $c) (local.get $C4)))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2))))
        (local.set $x0 (v128.load (local.get $p)))
        (local.set $x1 (v128.load (i32.add (local.get $p) (i32.shl (local.get $C) (i32.const 2)))))
        (local.set $x2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $C) (i32.const 3)))))
        (local.set $x3 (v128.load (i32.add (local.get $p) (i32.mul (local.get $C) (i32.const 12)))))
        (local.set $t0 ${floatShuffle([0, 4, 1, 5], "(local.get $x0)", "(local.get $x1)")})
        (local.set $t1 ${floatShuffle([2, 6, 3, 7], "(local.get $x0)", "(local.get $x1)")})
        (local.set $t2 ${floatShuffle([0, 4, 1, 5], "(local.get $x2)", "(local.get $x3)")})
        (local.set $t3 ${floatShuffle([2, 6, 3, 7], "(local.get $x2)", "(local.get $x3)")})
        (local.set $q (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $R)) (local.get $r)) (i32.const 2))))
        (v128.store (local.get $q) ${floatShuffle([0, 1, 4, 5], "(local.get $t0)", "(local.get $t2)")})
        (v128.store (i32.add (local.get $q) (i32.shl (local.get $R) (i32.const 2))) ${floatShuffle([2, 3, 6, 7], "(local.get $t0)", "(local.get $t2)")})
        (v128.store (i32.add (local.get $q) (i32.shl (local.get $R) (i32.const 3))) ${floatShuffle([0, 1, 4, 5], "(local.get $t1)", "(local.get $t3)")})
        (v128.store (i32.add (local.get $q) (i32.mul (local.get $R) (i32.const 12))) ${floatShuffle([2, 3, 6, 7], "(local.get $t1)", "(local.get $t3)")})
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $nextCols)))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $nextRows)))
    ;; The ragged edges: columns C4… of every row, then rows R4… of the first C4 columns.
    (local.set $r (i32.const 0))
    (block $edgeDone (loop $nextEdge
      (br_if $edgeDone (i32.ge_u (local.get $r) (local.get $R)))
      (local.set $c (select (local.get $C4) (i32.const 0) (i32.lt_u (local.get $r) (local.get $R4))))
      (block $edgeRowDone (loop $nextEdgeValue
        (br_if $edgeRowDone (i32.ge_u (local.get $c) (local.get $C)))
        (f32.store
          (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $R)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $nextEdgeValue)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $nextEdge))))
  ;; sumSquares(x, n) → Σ x[i]² in float64 (each square exact), over 4 double lanes: two f64x2
  ;; accumulators take the low and high halves of every 4 values, then the lanes and the tail are added.
  (func (export "sumSquares") (param $x i32) (param $n i32) (result f64)
    (local $v v128) (local $lo v128) (local $hi v128) (local $s f64) (local $f f64)
    (local.set $lo (v128.const i64x2 0 0))
    (local.set $hi (v128.const i64x2 0 0))
    (block $done (loop $next
      (br_if $done (i32.lt_u (local.get $n) (i32.const 4)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $lo (f64x2.add (local.get $lo) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (f64x2.promote_low_f32x4 (local.get $v)))))
      (local.set $v ${floatShuffle([2, 3, 0, 1], "(local.get $v)", "(local.get $v)")})
      (local.set $hi (f64x2.add (local.get $hi) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (f64x2.promote_low_f32x4 (local.get $v)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $next)))
    (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo))))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.eqz (local.get $n)))
      (local.set $f (f64.promote_f32 (f32.load (local.get $x))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $f) (local.get $f))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $tail)))
    (local.get $s))
  ;; denseRowsF64(x, batch, nIn, w, nOut, bias, out): out[b, ·] = bias, then for each nonzero x[b, i]
  ;; in order of i, out[b, j] ← f32(f64(out[b, j]) + f64(x[b, i])·f64(w[i, j])): a JS loop's arithmetic
  ;; on a Float32Array (the exact product, one double rounding, the store's float rounding), 4 columns
  ;; at a time in two f64x2 halves, the last 1–3 one at a time. Acting's batched MLP forward pass.
  (func (export "denseRowsF64") (param $x i32) (param $batch i32) (param $nIn i32) (param $w i32) (param $nOut i32)
    (param $bias i32) (param $out i32)
    (local $b i32) (local $i i32) (local $j i32) (local $o i32) (local $pw i32) (local $xi f32) (local $xd v128)
    (local $ov v128) (local $wv v128) (local $lo v128) (local $hi v128) (local $nOut4 i32)
    (local.set $nOut4 (i32.and (local.get $nOut) (i32.const -4)))
    (local.set $b (i32.const 0))
    (block $rowsDone (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $b) (local.get $nOut)) (i32.const 2))))
      (memory.copy (local.get $o) (local.get $bias) (i32.shl (local.get $nOut) (i32.const 2)))
      (local.set $i (i32.const 0))
      (block $inputsDone (loop $nextInput
        (br_if $inputsDone (i32.ge_u (local.get $i) (local.get $nIn)))
        (local.set $xi (f32.load (local.get $x)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (if (f32.ne (local.get $xi) (f32.const 0)) (then
          (local.set $xd (f64x2.splat (f64.promote_f32 (local.get $xi))))
          (local.set $pw (i32.add (local.get $w) (i32.shl (i32.mul (local.get $i) (local.get $nOut)) (i32.const 2))))
          (local.set $j (i32.const 0))
          (block $quadsDone (loop $nextQuad
            (br_if $quadsDone (i32.ge_u (local.get $j) (local.get $nOut4)))
            (local.set $ov (v128.load (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $wv (v128.load (i32.add (local.get $pw) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $lo (f64x2.add (f64x2.promote_low_f32x4 (local.get $ov))
              (f64x2.mul (local.get $xd) (f64x2.promote_low_f32x4 (local.get $wv)))))
            (local.set $hi (f64x2.add (f64x2.promote_low_f32x4 ${floatShuffle([2, 3, 0, 1], "(local.get $ov)", "(local.get $ov)")})
              (f64x2.mul (local.get $xd) (f64x2.promote_low_f32x4 ${floatShuffle([2, 3, 0, 1], "(local.get $wv)", "(local.get $wv)")}))))
            (v128.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
              ${floatShuffle([0, 1, 4, 5], "(f32x4.demote_f64x2_zero (local.get $lo))", "(f32x4.demote_f64x2_zero (local.get $hi))")})
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $nextQuad)))
          (block $tailDone (loop $nextTail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $nOut)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
              (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))))
                (f64.mul (f64.promote_f32 (local.get $xi)) (f64.promote_f32 (f32.load (i32.add (local.get $pw) (i32.shl (local.get $j) (i32.const 2)))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $nextTail)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextInput)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $nextRow))))
  (func (export "columnSums") (param $d i32) (param $out i32) (param $M i32) (param $N i32)
    (local $j i32) (local $r i32) (local $p i32) (local $row i32) (local $acc v128) (local $f f32)
    (local.set $row (i32.shl (local.get $N) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $vecDone (loop $vec
      (br_if $vecDone (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $N)))
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $d) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $r (local.get $M))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.le_s (local.get $r) (i32.const 0)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (local.get $row)))
        (local.set $r (i32.sub (local.get $r) (i32.const 1)))
        (br $rows)))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (local.get $acc))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $vec)))
    (block $oneDone (loop $one
      (br_if $oneDone (i32.ge_s (local.get $j) (local.get $N)))
      (local.set $f (f32.const 0))
      (local.set $p (i32.add (local.get $d) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $r (local.get $M))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.le_s (local.get $r) (i32.const 0)))
        (local.set $f (f32.add (local.get $f) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (local.get $row)))
        (local.set $r (i32.sub (local.get $r) (i32.const 1)))
        (br $rows)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (local.get $f))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $one))))
`;

// Adam's update of one parameter in float32 (dense_stack's fused steps): with gs = g·scale,
//   m = b1·m + c1·gs,  v = b2·v + c2·gs²,  p −= (stepSize·m) / (√v·inverseRoot + eps)
// (c1 = 1 − b1, c2 = 1 − b2), 4 lanes at a time, then one at a time.
const OPTIMIZERS = () => `
  (func (export "adamUpdate") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $scale f32) (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32)
    (param $step f32) (param $ir f32) (param $eps f32)
    (local $gs v128) (local $mi v128) (local $vi v128) (local $fg f32) (local $fm f32) (local $fv f32)
    (local $vscale v128) (local $vb1 v128) (local $vb2 v128) (local $vc1 v128) (local $vc2 v128)
    (local $vstep v128) (local $vir v128) (local $veps v128)
    (local.set $vscale (f32x4.splat (local.get $scale)))
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vc1 (f32x4.splat (local.get $c1)))
    (local.set $vc2 (f32x4.splat (local.get $c2)))
    (local.set $vstep (f32x4.splat (local.get $step)))
    (local.set $vir (f32x4.splat (local.get $ir)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (block $done (loop $next
      (br_if $done (i32.lt_s (local.get $n) (i32.const 4)))
      (local.set $gs (f32x4.mul (v128.load (local.get $g)) (local.get $vscale)))
      (local.set $mi (f32x4.add (f32x4.mul (local.get $vb1) (v128.load (local.get $m))) (f32x4.mul (local.get $vc1) (local.get $gs))))
      (local.set $vi (f32x4.add (f32x4.mul (local.get $vb2) (v128.load (local.get $v))) (f32x4.mul (f32x4.mul (local.get $vc2) (local.get $gs)) (local.get $gs))))
      (v128.store (local.get $m) (local.get $mi))
      (v128.store (local.get $v) (local.get $vi))
      (v128.store (local.get $p) (f32x4.sub (v128.load (local.get $p))
        (f32x4.div (f32x4.mul (local.get $vstep) (local.get $mi))
          (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $vi)) (local.get $vir)) (local.get $veps)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $m (i32.add (local.get $m) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $next)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.le_s (local.get $n) (i32.const 0)))
      (local.set $fg (f32.mul (f32.load (local.get $g)) (local.get $scale)))
      (local.set $fm (f32.add (f32.mul (local.get $b1) (f32.load (local.get $m))) (f32.mul (local.get $c1) (local.get $fg))))
      (local.set $fv (f32.add (f32.mul (local.get $b2) (f32.load (local.get $v))) (f32.mul (f32.mul (local.get $c2) (local.get $fg)) (local.get $fg))))
      (f32.store (local.get $m) (local.get $fm))
      (f32.store (local.get $v) (local.get $fv))
      (f32.store (local.get $p) (f32.sub (f32.load (local.get $p))
        (f32.div (f32.mul (local.get $step) (local.get $fm))
          (f32.add (f32.mul (f32.sqrt (local.get $fv)) (local.get $ir)) (local.get $eps)))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (local.set $v (i32.add (local.get $v) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $tail))))
`;

/** Locals every row function declares first (see {@link rowSetup}). */
const ROW_LOCALS =
  "(local $t i32) (local $rows i32) (local $G i32) (local $rowBytes i32) (local $step i32) (local $gStep i32) (local $r0h i32) (local $r0g i32) (local $at i32)";

/**
 * The start of every row function of a core with `gates` gate blocks: rows = r1 − r0; G = gates·H;
 * rowBytes, the bytes of this range's [rows, H]; step and gStep, the bytes of one step's [B, H] and
 * [B, G]; r0h and r0g, the byte offsets of row r0 in those.
 */
function rowSetup(gates: number): string {
  const bytes = (x: string) => `(i32.shl ${x} (i32.const 2))`;
  return `(local.set $rows (i32.sub (local.get $r1) (local.get $r0)))
    (local.set $G (i32.mul (local.get $H) (i32.const ${gates})))
    (local.set $rowBytes ${bytes("(i32.mul (local.get $rows) (local.get $H))")})
    (local.set $step ${bytes("(i32.mul (local.get $B) (local.get $H))")})
    (local.set $gStep ${bytes("(i32.mul (local.get $B) (local.get $G))")})
    (local.set $r0h ${bytes("(i32.mul (local.get $r0) (local.get $H))")})
    (local.set $r0g ${bytes("(i32.mul (local.get $r0) (local.get $G))")})`;
}

/** Byte address of keep[t, r0] (the episode-start mask of this range's first row at step t). */
const KEEP_AT =
  "(i32.add (local.get $keep) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $B)) (local.get $r0)) (i32.const 2)))";

/** From step 1 on, copies this range's rows of h_{t−1} (out's previous step) to `target` (an address). */
function previousHInto(target: string): string {
  return `(if (i32.gt_s (local.get $t) (i32.const 0)) (then
        (memory.copy ${target} (i32.sub (i32.add (local.get $out) (local.get $at)) (local.get $step)) (local.get $rowBytes))))`;
}

// The recurrent cores' unrolls over T steps for the rows r0 … r1 − 1 of the batch, each step two calls inside the
// module (gemm and the cell) instead of two calls from JavaScript, with the state copies and the
// episode-start masks beside them. Rows never read one another (h_t of row b needs only row b of
// h_{t−1}), so several threads may run one unroll on disjoint row ranges of the same buffers: each
// output is computed by the same operations in the same order whichever rows a call gets.
// Layouts: [T, B, ·] time-major, row-major inside; keep [T, B] is 0 where an episode begins.
const UNROLLS = () => `
  ;; a[b·width + j] *= keep[b] for each of the rows whose keep is not 1 (width a multiple of 4).
  (func $maskRows (param $a i32) (param $keep i32) (param $rows i32) (param $width i32)
    (local $b i32) (local $k f32) (local $p i32) (local $end i32) (local $kv v128)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $b) (local.get $rows)))
      (local.set $k (f32.load (i32.add (local.get $keep) (i32.shl (local.get $b) (i32.const 2)))))
      (if (f32.ne (local.get $k) (f32.const 1)) (then
        (local.set $kv (f32x4.splat (local.get $k)))
        (local.set $p (i32.add (local.get $a) (i32.shl (i32.mul (local.get $b) (local.get $width)) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $width) (i32.const 2))))
        (block $rowDone (loop $nextLanes
          (br_if $rowDone (i32.ge_u (local.get $p) (local.get $end)))
          (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $kv)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $nextLanes)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $next))))
  ;; dst[i] += src[i] for n values (n a multiple of 4).
  (func $addInto (param $dst i32) (param $src i32) (param $n i32)
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $next))))

  ;; gemm on the rows r0 … r1 − 1 of A and C (and of the init matrix): the row functions' form of gemm.
  (func (export "gemmRows")
    (param $a i32) (param $sam i32) (param $sak i32) (param $b i32) (param $c i32)
    (param $M i32) (param $K i32) (param $N i32) (param $init i32) (param $initRow i32) (param $r0 i32) (param $r1 i32)
    (call $gemm
      (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r0) (local.get $sam)) (i32.const 2)))
      (local.get $sam) (local.get $sak) (local.get $b)
      (i32.add (local.get $c) (i32.shl (i32.mul (local.get $r0) (local.get $N)) (i32.const 2)))
      (i32.sub (local.get $r1) (local.get $r0)) (local.get $K) (local.get $N)
      (if (result i32) (i32.ge_s (local.get $init) (i32.const 0))
        (then (i32.add (local.get $init) (i32.mul (local.get $r0) (local.get $initRow))))
        (else (local.get $init)))
      (local.get $initRow)))

  ;; LSTM forward over T steps: z [T, B, 4H] holds x·W + b and receives the gates; hPrev [T, B, H]
  ;; (step 0 holds h0) and cPrev [T, B, H] receive the masked states each step starts from; out
  ;; [T + 1, B, H] receives h of every step, its last step holding the running c (c0 in); tanhC [T, B, H].
  (func (export "lstmForwardRows")
    (param $z i32) (param $hPrev i32) (param $cPrev i32) (param $out i32) (param $tanhC i32) (param $keep i32) (param $wh i32)
    (param $T i32) (param $B i32) (param $H i32) (param $r0 i32) (param $r1 i32)
    ${ROW_LOCALS} (local $c i32) (local $zt i32) (local $kt i32)
    ${rowSetup(4)}
    (local.set $c (i32.add (i32.add (local.get $out) (i32.mul (local.get $T) (local.get $step))) (local.get $r0h)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $at (i32.add (i32.mul (local.get $t) (local.get $step)) (local.get $r0h)))
      ${previousHInto("(i32.add (local.get $hPrev) (local.get $at))")}
      (memory.copy (i32.add (local.get $cPrev) (local.get $at)) (local.get $c) (local.get $rowBytes))
      (local.set $kt ${KEEP_AT})
      (call $maskRows (i32.add (local.get $hPrev) (local.get $at)) (local.get $kt) (local.get $rows) (local.get $H))
      (call $maskRows (i32.add (local.get $cPrev) (local.get $at)) (local.get $kt) (local.get $rows) (local.get $H))
      (local.set $zt (i32.add (i32.add (local.get $z) (i32.mul (local.get $t) (local.get $gStep))) (local.get $r0g)))
      (call $gemm (i32.add (local.get $hPrev) (local.get $at)) (local.get $H) (i32.const 1) (local.get $wh) (local.get $zt)
        (local.get $rows) (local.get $H) (local.get $G) (local.get $zt) (i32.shl (local.get $G) (i32.const 2)))
      (call $lstmCellForward (local.get $zt) (i32.add (local.get $cPrev) (local.get $at)) (local.get $c)
        (i32.add (local.get $out) (local.get $at)) (i32.add (local.get $tanhC) (local.get $at)) (local.get $rows) (local.get $H))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $next))))

  ;; LSTM backward (BPTT) over T steps, from the forward pass's gates [T, B, 4H], tanh(c′) and cPrev
  ;; [T, B, H], dy [T + 1, B, H] (the gradients of the forward pass's out) and whT [4H, H]: writes dZ
  ;; [T, B, 4H] (of every step's pre-activations), and dh, dc [B, H] (of h0 and c0).
  (func (export "lstmBackwardRows")
    (param $gates i32) (param $tc i32) (param $cp i32) (param $dh i32) (param $dc i32) (param $dZ i32) (param $dy i32)
    (param $keep i32) (param $whT i32) (param $T i32) (param $B i32) (param $H i32) (param $r0 i32) (param $r1 i32)
    ${ROW_LOCALS} (local $gt i32) (local $dzt i32) (local $kt i32)
    ${rowSetup(4)}
    (local.set $dh (i32.add (local.get $dh) (local.get $r0h)))
    (local.set $dc (i32.add (local.get $dc) (local.get $r0h)))
    (memory.fill (local.get $dh) (i32.const 0) (local.get $rowBytes))
    (memory.copy (local.get $dc) (i32.add (i32.add (local.get $dy) (i32.mul (local.get $T) (local.get $step))) (local.get $r0h)) (local.get $rowBytes))
    (local.set $t (local.get $T))
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $t) (i32.const 0)))
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (local.set $at (i32.add (i32.mul (local.get $t) (local.get $step)) (local.get $r0h)))
      (call $addInto (local.get $dh) (i32.add (local.get $dy) (local.get $at)) (i32.mul (local.get $rows) (local.get $H)))
      (local.set $gt (i32.add (i32.mul (local.get $t) (local.get $gStep)) (local.get $r0g)))
      (local.set $dzt (i32.add (local.get $dZ) (local.get $gt)))
      (call $lstmCellBackward (i32.add (local.get $gates) (local.get $gt)) (i32.add (local.get $tc) (local.get $at))
        (i32.add (local.get $cp) (local.get $at)) (local.get $dh) (local.get $dc) (local.get $dzt) (local.get $rows) (local.get $H))
      (call $gemm (local.get $dzt) (local.get $G) (i32.const 1) (local.get $whT) (local.get $dh)
        (local.get $rows) (local.get $G) (local.get $H) (i32.const -1) (i32.const 0))
      (local.set $kt ${KEEP_AT})
      (call $maskRows (local.get $dh) (local.get $kt) (local.get $rows) (local.get $H))
      (call $maskRows (local.get $dc) (local.get $kt) (local.get $rows) (local.get $H))
      (br $next))))
  ;; GRU forward over T steps: p [T, B, 3H] holds x·W + b; rec [B, 3H] is one step's h·U (scratch);
  ;; bh [3H] the recurrent bias; hPrev [T, B, H] (step 0 holding h0) receives the masked state each step
  ;; starts from; out [T, B, H] h of every step; gates [T, B, 3H] and recN [T, B, H] what BPTT needs.
  (func (export "gruForwardRows")
    (param $p i32) (param $rec i32) (param $bh i32) (param $hPrev i32) (param $out i32) (param $gates i32) (param $recN i32)
    (param $keep i32) (param $u i32) (param $T i32) (param $B i32) (param $H i32) (param $r0 i32) (param $r1 i32)
    ${ROW_LOCALS} (local $gt i32) (local $hp i32)
    ${rowSetup(3)}
    (local.set $rec (i32.add (local.get $rec) (local.get $r0g)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $at (i32.add (i32.mul (local.get $t) (local.get $step)) (local.get $r0h)))
      (local.set $gt (i32.add (i32.mul (local.get $t) (local.get $gStep)) (local.get $r0g)))
      (local.set $hp (i32.add (local.get $hPrev) (local.get $at)))
      ${previousHInto("(local.get $hp)")}
      (call $maskRows (local.get $hp)
        ${KEEP_AT}
        (local.get $rows) (local.get $H))
      (call $gemm (local.get $hp) (local.get $H) (i32.const 1) (local.get $u) (local.get $rec)
        (local.get $rows) (local.get $H) (local.get $G) (i32.const -1) (i32.const 0))
      (call $gruCellForward (i32.add (local.get $p) (local.get $gt)) (local.get $rec) (local.get $bh) (local.get $hp)
        (i32.add (local.get $out) (local.get $at)) (i32.add (local.get $gates) (local.get $gt)) (i32.add (local.get $recN) (local.get $at))
        (local.get $rows) (local.get $H))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $next))))

  ;; GRU backward (BPTT) over T steps, from the forward pass's gates, recN and hPrev, dy [T, B, H] (the
  ;; gradient of its out) and uT [3H, H]: writes dIn and dRec [T, B, 3H] (of every step's input and
  ;; recurrent pre-activations) and dh [B, H] (of h0); dOut [B, H] is scratch.
  (func (export "gruBackwardRows")
    (param $gates i32) (param $recN i32) (param $hPrev i32) (param $dOut i32) (param $dIn i32) (param $dRec i32) (param $dh i32)
    (param $dy i32) (param $keep i32) (param $uT i32) (param $T i32) (param $B i32) (param $H i32) (param $r0 i32) (param $r1 i32)
    ${ROW_LOCALS} (local $gt i32)
    ${rowSetup(3)}
    (local.set $dh (i32.add (local.get $dh) (local.get $r0h)))
    (local.set $dOut (i32.add (local.get $dOut) (local.get $r0h)))
    (memory.fill (local.get $dh) (i32.const 0) (local.get $rowBytes))
    (local.set $t (local.get $T))
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $t) (i32.const 0)))
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (local.set $at (i32.add (i32.mul (local.get $t) (local.get $step)) (local.get $r0h)))
      (local.set $gt (i32.add (i32.mul (local.get $t) (local.get $gStep)) (local.get $r0g)))
      (memory.copy (local.get $dOut) (local.get $dh) (local.get $rowBytes))
      (call $addInto (local.get $dOut) (i32.add (local.get $dy) (local.get $at)) (i32.mul (local.get $rows) (local.get $H)))
      (call $gruCellBackward (i32.add (local.get $gates) (local.get $gt)) (i32.add (local.get $recN) (local.get $at))
        (i32.add (local.get $hPrev) (local.get $at)) (local.get $dOut) (i32.add (local.get $dIn) (local.get $gt))
        (i32.add (local.get $dRec) (local.get $gt)) (local.get $dh) (local.get $rows) (local.get $H))
      (call $gemm (i32.add (local.get $dRec) (local.get $gt)) (local.get $G) (i32.const 1) (local.get $uT) (local.get $dh)
        (local.get $rows) (local.get $G) (local.get $H) (local.get $dh) (i32.shl (local.get $H) (i32.const 2)))
      (call $maskRows (local.get $dh)
        ${KEEP_AT}
        (local.get $rows) (local.get $H))
      (br $next))))

  ;; The plain RNN forward over T steps: out [T, B, H] holds x·W + b and receives h of every step
  ;; (tanh(x·W + b + hPrev·w) in place); hPrev [T, B, H] (step 0 holding h0) the masked state each step
  ;; starts from; w [H, H].
  (func (export "rnnForwardRows")
    (param $out i32) (param $hPrev i32) (param $keep i32) (param $w i32) (param $T i32) (param $B i32) (param $H i32)
    (param $r0 i32) (param $r1 i32)
    ${ROW_LOCALS} (local $hp i32)
    ${rowSetup(1)}
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $at (i32.add (i32.mul (local.get $t) (local.get $step)) (local.get $r0h)))
      (local.set $hp (i32.add (local.get $hPrev) (local.get $at)))
      ${previousHInto("(local.get $hp)")}
      (call $maskRows (local.get $hp)
        ${KEEP_AT}
        (local.get $rows) (local.get $H))
      (call $gemm (local.get $hp) (local.get $H) (i32.const 1) (local.get $w) (i32.add (local.get $out) (local.get $at))
        (local.get $rows) (local.get $H) (local.get $H) (i32.add (local.get $out) (local.get $at)) (i32.shl (local.get $H) (i32.const 2)))
      (call $tanhInPlace (i32.add (local.get $out) (local.get $at)) (i32.mul (local.get $rows) (local.get $H)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $next))))

  ;; The plain RNN backward over T steps, from h [T, B, H] (the forward pass's out), dy [T, B, H] and
  ;; wT [H, H]: writes dZ [T, B, H] (of every step's pre-activation) and dh [B, H] (of h0).
  (func (export "rnnBackwardRows")
    (param $h i32) (param $dZ i32) (param $dh i32) (param $dy i32) (param $keep i32) (param $wT i32)
    (param $T i32) (param $B i32) (param $H i32) (param $r0 i32) (param $r1 i32)
    ${ROW_LOCALS}
    ${rowSetup(1)}
    (local.set $dh (i32.add (local.get $dh) (local.get $r0h)))
    (memory.fill (local.get $dh) (i32.const 0) (local.get $rowBytes))
    (local.set $t (local.get $T))
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $t) (i32.const 0)))
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (local.set $at (i32.add (i32.mul (local.get $t) (local.get $step)) (local.get $r0h)))
      (call $addInto (local.get $dh) (i32.add (local.get $dy) (local.get $at)) (i32.mul (local.get $rows) (local.get $H)))
      (call $tanhBackward (i32.add (local.get $h) (local.get $at)) (local.get $dh) (i32.add (local.get $dZ) (local.get $at))
        (i32.mul (local.get $rows) (local.get $H)))
      (call $gemm (i32.add (local.get $dZ) (local.get $at)) (local.get $H) (i32.const 1) (local.get $wT) (local.get $dh)
        (local.get $rows) (local.get $H) (local.get $H) (i32.const -1) (i32.const 0))
      (call $maskRows (local.get $dh)
        ${KEEP_AT}
        (local.get $rows) (local.get $H))
      (br $next))))
`;

/** Pages a shared heap may grow to (4 GiB, as a private one). */
export const SHARED_HEAP_MAX_PAGES = 65536;

/**
 * The module's text (WebAssembly text format with the SIMD proposal). With `sharedMemory` it imports
 * its heap as `env.memory`, a shared memory of at most {@link SHARED_HEAP_MAX_PAGES} pages (threads
 * proposal), so that worker threads may run it on the same heap; otherwise it defines its own.
 */
export function kernelsWat(options: { sharedMemory?: boolean } = {}): string {
  const v128Locals = [
    ...range(2).flatMap((r) => range(4).map((j) => `$c${r}${j}`)),
    "$s0",
    "$s1",
    "$b0",
    "$b1",
    "$b2",
    "$b3",
  ];
  const memory =
    options.sharedMemory === true
      ? `(import "env" "memory" (memory 1 ${SHARED_HEAP_MAX_PAGES} shared))
  (export "memory" (memory 0))`
      : `(memory (export "memory") 1)`;
  return `(module
  ${memory}
  (func $gemm (export "gemm")
    (param $a i32) (param $sam i32) (param $sak i32) (param $b i32) (param $c i32)
    (param $M i32) (param $K i32) (param $N i32) (param $init i32) (param $initRow i32)
    (local $m i32) (local $n i32) (local $k i32) (local $stepA i32) (local $rowB i32)
    (local $ra0 i32) (local $ra1 i32) (local $pa0 i32) (local $pa1 i32) (local $pb i32) (local $pc0 i32) (local $pc1 i32)
    (local $pi0 i32) (local $pi1 i32)
    (local $f0 f32) (local $f1 f32) (local $x0 f32) (local $x1 f32)
    ${v128Locals.map((name) => `(local ${name} v128)`).join(" ")}
    (local.set $stepA (i32.shl (local.get $sak) (i32.const 2)))
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $m (i32.const 0))
    (block $pairsDone (loop $nextPair
      (br_if $pairsDone (i32.gt_u (i32.add (local.get $m) (i32.const 2)) (local.get $M)))
      ${rowPointers(2)}
      ${rowGroup(2)}
      (local.set $m (i32.add (local.get $m) (i32.const 2)))
      (br $nextPair)))
    (if (i32.lt_u (local.get $m) (local.get $M)) (then
      ${rowPointers(1)}
      ${rowGroup(1)})))
${CELLS()}
${DENSE()}
${OPTIMIZERS()}
${UNROLLS()}
)
`;
}
