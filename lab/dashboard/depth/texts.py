"""Texts of the depth page (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS)."""

STRINGS: dict[str, tuple[str, str]] = {
    "depth.title": ("Depth and activation: where deep networks stall",
                    "深さと活性化関数：深いネットワークはどこで停滞するか"),
    "depth.intro": (
        "The lecture says that in networks of four or more layers learning stalls at stationary points such as "
        "saddle points (the vanishing-gradient problem), and that stochastic gradients and ReLU made deep networks "
        "trainable. Here each activation is trained at each depth (hidden layers: the lecture's 2-2-1 net has one) "
        "from the same seeds, and the page measures how often trials stall, where the gradient vanishes, and what the "
        "Hessian says about the points where they stall. Depth counts hidden layers; counting the input and output "
        "layers too, the lecture's \"four layers\" would be depth 2 here, and the summary below uses the stricter "
        "depth 4 and more.",
        "講義では「4 段以上のネットワークでは、鞍点などの停留点で学習が停滞する（勾配消失問題）」こと、そして"
        "確率的勾配法や ReLU によって深いネットワークが学習できるようになったことが説明されました。このページでは、"
        "各活性化関数を各深さ（中間層の数。講義の 2-2-1 ネットワークは 1）で同じシードから学習させ、停滞する割合、"
        "勾配が消える場所、停滞点でのヘッセ行列の性質を測ります。深さは中間層の数です。入力層と出力層も数えると、"
        "講義の「4 段」はここでの深さ 2 にあたりますが、下のまとめはより厳しく深さ 4 以上を使います。"),
    "depth.f.optimizer.help": ("Each optimizer with its default learning rate (see the optimizers page).",
                               "各最適化手法は既定の学習率で使います（最適化手法の比較ページを参照）。"),
    "depth.f.depths": ("Hidden layers (range)", "中間層の数（範囲）"),
    "depth.f.seeds": ("Seeds per cell", "セルごとのシード数"),
    "depth.f.tests": ("Hessian tests per cell", "セルごとのヘッセ行列の判定数"),
    "depth.f.tests.help": (
        "How many stalled trials of each activation and depth are re-run to their stall and tested with the exact "
        "Hessian (each costs a fraction of a second; 0 turns the test off).",
        "各活性化関数・深さで、停滞した試行のうち何件を停滞点まで再実行し、厳密なヘッセ行列で判定するか"
        "（1 件あたり 1 秒未満。0 で判定しません）。"),
    "depth.f.depth": ("Hidden layers", "中間層の数"),
    "depth.progress": ("Training… {done} of {total} trials done", "学習中… {total} 試行中 {done} 完了"),
    "depth.progress.tests": ("Hessian test: {act}, depth {depth} ({done} of {total} done)",
                             "ヘッセ行列の判定：{act}、深さ {depth}（{total} 件中 {done} 件完了）"),
    # ---- heatmap and summary
    "depth.heat.title": ("Activation × depth", "活性化関数 × 深さ"),
    "depth.heat.metric": ("Cells show", "セルの値"),
    "depth.metric.success_rate": ("solved", "解けた割合"),
    "depth.metric.stalled_fraction": ("stalled", "停滞した割合"),
    "depth.metric.stuck_fraction": ("still stalled at the end", "最後まで停滞した割合"),
    "depth.heat.caption": (
        "{opt} · {width} units per hidden layer · init {init} · {seeds} seeds × {steps} iterations per cell, "
        "minibatches of 5 as in the lecture. Solved: all 4 rows answered right after the last iteration.",
        "{opt} · 中間層のユニット数 {width} · 初期化 {init} · 各セル {seeds} シード × {steps} 反復、講義と同じ"
        "ミニバッチ 5。解けた：最後の反復の後に 4 行すべてに正しく答える。"),
    "depth.x.depth": ("hidden layers", "中間層の数"),
    "depth.y.activation": ("activation", "活性化関数"),
    "depth.sum.title": ("What these data show", "このデータからわかること"),
    "depth.sum.setup": (
        "{optimizer}, {width} units per hidden layer, {seeds} seeds × {steps} iterations per cell. A trial *stalls* "
        "when its truth-table loss stays high and flat for at least {min_steps} iterations.",
        "{optimizer}、中間層のユニット数 {width}、各セル {seeds} シード × {steps} 反復。真理値表の損失が高いまま "
        "{min_steps} 反復以上ほとんど変わらない試行を「停滞」とします。"),
    "depth.sum.act": (
        "**{act}**, depth {deep}: {stalled_pct} of {n} trials stalled ({stalled}); {escaped_pct} of those escaped "
        "and learned AND.",
        "**{act}**、深さ {deep}：{n} 試行中 {stalled_pct}（{stalled} 試行）が停滞し、そのうち {escaped_pct} が"
        "抜け出して AND を学習しました。"),
    "depth.sum.act.none": ("**{act}**, depth {deep}: none of the {n} trials stalled.",
                           "**{act}**、深さ {deep}：{n} 試行のどれも停滞しませんでした。"),
    "depth.sum.solved": (" Solved: {s0} at depth {d0}, {s1} at depth {deep}.",
                         "解けた割合：深さ {d0} で {s0}、深さ {deep} で {s1}。"),
    "depth.sum.solved.one": (" Solved: {s1}.", "解けた割合：{s1}。"),
    "depth.sum.hessian": (
        " Hessian test at the midpoint of the longest stall: {saddles} of {tested} stalls tested were saddles "
        "({saddle_pct}), {minima} minima.",
        "最長の停滞の中間点でのヘッセ行列の判定：調べた {tested} 件のうち {saddles} 件（{saddle_pct}）が鞍点、"
        "{minima} 件が極小点でした。"),
    "depth.sum.vanish": (
        "Vanishing gradients: with sigmoid, the first layer's gradient is {r0} times the output layer's at depth "
        "{d0} and {r1} times at depth {d1} (medians over seeds and iterations).",
        "勾配消失：シグモイドでは、第 1 層の勾配は出力層の勾配の {r0} 倍（深さ {d0}）から {r1} 倍（深さ {d1}）に"
        "小さくなります（シードと反復の中央値）。"),
    "depth.sum.vanish.not": (
        "With sigmoid, the first layer's gradient does not shrink against the output layer's with depth here: "
        "{r0} times at depth {d0}, {r1} times at depth {d1}.",
        "ここではシグモイドでも、第 1 層の勾配は出力層に比べて深さとともに小さくなっていません：深さ {d0} で "
        "{r0} 倍、深さ {d1} で {r1} 倍。"),
    "depth.sum.lecture.agree": (
        "As the lecture says, deeper sigmoid nets stall more ({p1} at depth {deep} against {p0} at depth {d0}); "
        "turn the Hessian test on to see whether the stalls are saddles.",
        "講義のとおり、深いシグモイドのネットワークほどよく停滞します（深さ {deep} で {p1}、深さ {d0} で {p0}）。"
        "停滞点が鞍点かどうかはヘッセ行列の判定をオンにすると確かめられます。"),
    "depth.sum.lecture.saddle": (
        "This matches the lecture: deeper sigmoid nets stall more ({p1} at depth {deep} against {p0} at depth "
        "{d0}), and most of the stalls tested are saddles.",
        "これは講義と一致します：深いシグモイドのネットワークほどよく停滞し（深さ {deep} で {p1}、深さ {d0} で "
        "{p0}）、調べた停滞の多くは鞍点です。"),
    "depth.sum.lecture.notsaddle": (
        "Deeper sigmoid nets stall more ({p1} at depth {deep} against {p0} at depth {d0}), but only {saddles} of "
        "{tested} stalls tested are saddles: the lecture's explanation fits few of them.",
        "深いシグモイドのネットワークほどよく停滞します（深さ {deep} で {p1}、深さ {d0} で {p0}）が、調べた "
        "{tested} 件のうち鞍点は {saddles} 件だけで、講義の説明が当てはまるのは一部です。"),
    "depth.sum.lecture.nomore": (
        "Unlike the lecture, deeper sigmoid nets do not stall more here ({p1} at depth {deep} against {p0} at "
        "depth {d0}).",
        "講義とは異なり、ここでは深いシグモイドのネットワークほど停滞するわけではありません（深さ {deep} で "
        "{p1}、深さ {d0} で {p0}）。"),
    "depth.sum.shallow_only": (
        "The lecture speaks of networks of {deep} or more layers; this range stops at depth {top}: widen it to test "
        "the claim.",
        "講義は {deep} 段以上のネットワークについて述べていますが、この範囲は深さ {top} までです。主張を確かめるには"
        "範囲を広げてください。"),
    "depth.sum.relu.better": (
        "As the lecture says, ReLU does better than sigmoid at depth {deep}: {relu} against {sig} of trials solved.",
        "講義のとおり、深さ {deep} では ReLU がシグモイドより良い結果です：解けた割合 {relu} 対 {sig}。"),
    "depth.sum.relu.same": (
        "ReLU and sigmoid solve equally often at depth {deep}: {relu} against {sig} of trials.",
        "深さ {deep} では ReLU とシグモイドの解けた割合は同じです：{relu} 対 {sig}。"),
    "depth.sum.relu.worse": (
        "Unlike the lecture's account, ReLU does worse than sigmoid at depth {deep}: {relu} against {sig} of trials "
        "solved.",
        "講義の説明とは異なり、深さ {deep} では ReLU がシグモイドより悪い結果です：解けた割合 {relu} 対 {sig}。"),
    "depth.sum.relu.dead": (
        " In {blocked} of its {n} trials no gradient reached the first layer at the end: a layer whose {width} units "
        "all output 0 for every input (dead ReLUs) passes no gradient back, and learning stops.",
        "その {n} 試行のうち {blocked} 試行では、最後に第 1 層へ勾配がまったく届いていません：{width} 個の"
        "ユニットがどの入力にも 0 を出力する層（死んだ ReLU）は勾配を逆に伝えず、学習が止まります。"),
    "depth.sum.relu.minima": (
        " Its stalls are mostly flat valleys classified as minima ({minima} of {tested} tested), not saddles "
        "({saddles}).",
        "その停滞の多くは極小点と判定される平らな谷で（調べた {tested} 件中 {minima} 件）、鞍点ではありません"
        "（{saddles} 件）。"),
    "depth.sum.relu.saddles": (
        " Of its stalls tested, {saddles} of {tested} are saddles and {minima} minima.",
        "調べた停滞 {tested} 件のうち、鞍点は {saddles} 件、極小点は {minima} 件です。"),
    "depth.sum.relu.control": (" As a control, try width 8.", "対照実験として、ユニット数 8 を試してください。"),
    "depth.sum.relu.control.seeds": (
        " As a control, try width 8 (with {seeds} seeds, to stay within this server's compute budget).",
        "対照実験として、ユニット数 8 を試してください（このサーバーの計算量の上限に収めるにはシード数 {seeds}）。"),
    "depth.sum.batch": (
        "Minibatch against full batch ({act}, depth {deep}): stalled {mb_stalled} against {fb_stalled}, solved "
        "{mb_solved} against {fb_solved}.",
        "ミニバッチ対フルバッチ（{act}、深さ {deep}）：停滞 {mb_stalled} 対 {fb_stalled}、解けた割合 {mb_solved} 対 "
        "{fb_solved}。"),
    "depth.sum.batch.helped": (" Here the minibatch noise helped, as the lecture says (its noise helps escape).",
                               "講義のとおり、ここではミニバッチのゆらぎが停滞からの脱出を助けています。"),
    "depth.sum.batch.hurt": (
        " Here the minibatch noise did not help escape: full batch did better, unlike what the lecture suggests.",
        "ここではミニバッチのゆらぎは脱出を助けていません：講義の説明とは逆に、フルバッチの方が良い結果です。"),
    "depth.sum.test": (" Fisher's exact test: p {p}, Holm-adjusted over this summary's {m} tests p {ph}: significant "
                       "at 0.05.",
                       "（Fisher の正確検定 p {p}、この要約の {m} 件の検定について Holm 補正後 p {ph}：有意水準 0.05 で"
                       "有意）"),
    "depth.sum.test.ns": (" Fisher's exact test: p {p}, Holm-adjusted over this summary's {m} tests p {ph}: not "
                          "significant, so with these seeds the difference may be chance.",
                          "（Fisher の正確検定 p {p}、この要約の {m} 件の検定について Holm 補正後 p {ph}：有意ではなく、"
                          "このシード数では偶然の差かもしれません）"),
    "depth.sum.test.none": (" (Both shares are 0% or both 100%: no difference to test.)",
                            "（どちらも 0% かどちらも 100% のため、検定する差はありません）"),
    "depth.tip.p": ("vs shallowest: Fisher, Holm", "最浅との Fisher 検定（Holm）"),
    "depth.heat.tests": ("Hover a cell: its Fisher's exact test against the same activation's shallowest depth, "
                         "Holm-adjusted over the cells; the summary below names the test behind each difference it "
                         "states.",
                         "セルにカーソルを合わせると、同じ活性化関数の最も浅い深さとの Fisher の正確検定（セル全体で Holm "
                         "補正）を表示します。下の要約は、述べる差ごとにその根拠の検定を示します。"),
    "depth.sum.batch.same": (" Here minibatch and full batch solved equally often.",
                             "ここではミニバッチとフルバッチの解けた割合は同じです。"),
    # ---- curves and gradients
    "depth.focus.title": ("One activation, one depth", "1 つの活性化関数と深さを詳しく見る"),
    "depth.curves.title": ("Truth-table loss by depth ({act}): median over seeds, band = 25–75%",
                           "深さごとの真理値表の損失（{act}）：シードの中央値、帯は 25–75%"),
    "depth.curves.caption": (
        "A plateau is a stretch where the loss stays flat well above 0: deeper nets sit on it longer.",
        "プラトー（平坦な区間）は、損失が 0 よりかなり高いまま平らな部分です：深いネットワークほど長くとどまります。"),
    "depth.series.depth": ("depth {d}", "深さ {d}"),
    "depth.y.table_loss": ("truth-table loss", "真理値表の損失"),
    "depth.layer": ("layer {n}", "第 {n} 層"),
    "depth.layer.output": ("output layer", "出力層"),
    "depth.layer.s": ("layer", "層"),
    "depth.grad.layers": ("Gradient norm per layer ({act}, depth {depth})",
                          "層ごとの勾配ノルム（{act}、深さ {depth}）"),
    "depth.grad.ratio": ("First layer's gradient ÷ output layer's, by depth", "第 1 層の勾配 ÷ 出力層の勾配（深さ別）"),
    "depth.y.grad": ("gradient norm", "勾配ノルム"),
    "depth.y.ratio": ("first ÷ output layer gradient", "第 1 層 ÷ 出力層の勾配"),
    "depth.grad.caption": (
        "Left: the norm of each layer's weight and bias gradient on the minibatch, median over seeds. Right: the "
        "median over seeds of each trial's median ratio; 1 means no vanishing, 1e-6 a millionth. Zero ratios (no "
        "gradient reaches the first layer at all, as with dead ReLU units) cannot be drawn on a log axis and are left "
        "out.",
        "左：各層の重みとバイアスの勾配ノルム（ミニバッチ、シードの中央値）。右：各試行の比の中央値をシードで"
        "中央値にしたもの。1 なら勾配は消えておらず、1e-6 は 100 万分の 1。比が 0（死んだ ReLU のように第 1 層へ"
        "勾配がまったく届かない）の場合は対数軸に描けないため省いています。"),
    # ---- traced layers
    "depth.trace.title": ("Inside the hidden layers (Glorot & Bengio 2010)", "中間層の内部（Glorot & Bengio 2010）"),
    "depth.trace.toggle": ("Trace activations ({n} seeds)", "活性化を記録する（{n} シード）"),
    "depth.trace.init": ("Initialisation here", "ここでの初期化"),
    "depth.y.act": ("mean activation", "平均の活性化"),
    "depth.y.sat": ("saturated fraction", "飽和した割合"),
    "depth.trace.caption": (
        "{act}, depth {depth}, init {init}: each hidden layer's mean output on the 4 truth-table rows, and the "
        "fraction of its units whose slope is below a tenth of the largest (sigmoid h(1−h) < 0.025, tanh "
        "1−h² < 0.1, ReLU off); median over seeds. Glorot and Bengio saw the top sigmoid layer saturate near 0 "
        "early in training; their initialisation (xavier) keeps the signal's scale across layers.",
        "{act}、深さ {depth}、初期化 {init}：各中間層の真理値表 4 行での平均出力と、傾きが最大値の 1/10 未満の"
        "ユニットの割合（シグモイド h(1−h) < 0.025、tanh 1−h² < 0.1、ReLU は出力 0）。シードの中央値。"
        "Glorot と Bengio は学習初期に最上位のシグモイド層が 0 付近で飽和することを示し、その初期化（xavier）は"
        "層をまたいで信号の大きさを保ちます。"),
    # ---- one stalled trial
    "depth.hess.title": ("A stalled trial under the Hessian", "停滞した試行のヘッセ行列"),
    "depth.hess.none": ("No trial of {act} at depth {depth} stalled: choose a deeper net or another activation.",
                        "{act}・深さ {depth} では停滞した試行がありません。より深いネットワークか別の活性化関数を"
                        "選んでください。"),
    "depth.hess.pick": ("Stalled trial", "停滞した試行"),
    "depth.hess.option": ("seed {seed} · stalled from iteration {a} to {b} · {end}",
                          "シード {seed} · 反復 {a}〜{b} で停滞 · {end}"),
    "depth.hess.solved": ("solved in the end", "最後には解けた"),
    "depth.hess.unsolved": ("not solved", "解けなかった"),
    "depth.hess.computing": ("Computing the Hessian…", "ヘッセ行列を計算中…"),
    "depth.hess.mid": ("At the stall's midpoint (iteration {step})", "停滞の中間点（反復 {step}）"),
    "depth.hess.end": ("At the end of training (iteration {step})", "学習の終わり（反復 {step}）"),
    "depth.hess.numbers": ("gradient norm {grad} · {k} of {p} eigenvalues negative",
                           "勾配ノルム {grad} · 固有値 {p} 個のうち負は {k} 個"),
    "depth.hess.near": ("near-stationary", "ほぼ停留点"),
    "depth.hess.far": ("not near-stationary", "停留点から遠い"),
    "depth.hess.detail": ("Curvature: {curvature} · {near} · loss {loss} · eigenvalues from {lo} to {hi}",
                          "曲率：{curvature} · {near} · 損失 {loss} · 固有値 {lo}〜{hi}"),
    "depth.replay": ("Watch this trial stall: seed {seed} (the loss flat, the maps barely changing, then the escape "
                     "if it comes)", "この試行が停滞する様子：シード {seed}（損失が平らで図がほとんど変わらず、抜け出すなら"
                                     "その後に動き出します）"),
    "depth.hess.caption": (
        "The exact Hessian of the truth-table loss with respect to every weight and bias, at the midpoint of the "
        "trial's longest stall (the trial re-run to there) and at its last iteration. Saddle: negative and positive "
        "eigenvalues; minimum: none negative (flat directions allowed). Near-stationary: the gradient is small, or "
        "moving to the critical point of the local quadratic model would lower the loss by less than 10%. The axis "
        "is logarithmic on both sides of a linear band of ±1e-5 (flat).",
        "真理値表の損失の、全重み・バイアスに関する厳密なヘッセ行列。その試行の最長の停滞の中間点（そこまで再実行）"
        "と最後の反復で計算します。鞍点：負と正の固有値がある。極小点：負の固有値がない（平らな方向は可）。"
        "ほぼ停留点：勾配が小さいか、局所 2 次モデルの停留点へ移っても損失の減少が 10% 未満。縦軸は ±1e-5（平ら）"
        "の線形の帯の両側で対数です。"),
    "depth.x.rank": ("eigenvalue number (ascending)", "固有値の番号（昇順）"),
    "depth.y.eig": ("eigenvalue", "固有値"),
    "depth.sign": ("eigenvalue", "固有値"),
    "depth.sign.negative": ("negative", "負"),
    "depth.sign.flat": ("flat (±1e-5)", "平ら（±1e-5）"),
    "depth.sign.positive": ("positive", "正"),
    "depth.kind.saddle": ("saddle", "鞍点"),
    "depth.kind.minimum": ("minimum", "極小点"),
    "depth.kind.maximum": ("maximum", "極大点"),
    "depth.kind.degenerate": ("degenerate", "退化"),
    "depth.kind.not stationary": ("not stationary", "停留点でない"),
    # ---- minibatch against full batch
    "depth.batch.title": ("Minibatch against full batch ({act})", "ミニバッチ対フルバッチ（{act}）"),
    "depth.batch.mini": ("minibatch of 5", "ミニバッチ 5"),
    "depth.batch.full": ("full batch (4 rows)", "フルバッチ（4 行）"),
    "depth.batch.series": ("data per step", "1 ステップのデータ"),
    "depth.batch.caption": (
        "The same seeds, with the lecture's random minibatches of 5 rows or with all 4 rows of the truth table every "
        "step (no sampling noise). The lecture says stochastic noise helps escape saddle points.",
        "同じシードで、講義のランダムな 5 行のミニバッチと、毎回真理値表の 4 行すべて（サンプリングのゆらぎなし）"
        "を比べます。講義では、確率的なゆらぎが鞍点からの脱出を助けるとされています。"),
    # ---- statistics table
    "depth.table.title": ("Stall statistics", "停滞の統計"),
    "depth.table.caption": (
        "Escaped: of the stalled trials, those solved at the end. Saddles / minima: of the stalled trials put to "
        "the Hessian test (a random few), the kind at the stall's midpoint. Blocked: trials whose first layer gets "
        "no gradient at all at the end.",
        "抜け出した：停滞した試行のうち最後に解けたもの。鞍点・極小点：停滞した試行から無作為に選んでヘッセ行列で"
        "判定したものの、停滞の中間点での種類。遮断：最後に第 1 層へ勾配がまったく届かない試行。"),
    "depth.table.download": ("Stall statistics (CSV)", "停滞の統計（CSV）"),
    "depth.col.activation": ("activation", "活性化関数"),
    "depth.col.depth": ("depth", "深さ"),
    "depth.col.batch": ("data per step", "1 ステップのデータ"),
    "depth.col.n_trials": ("seeds", "シード数"),
    "depth.col.success_rate": ("solved", "解けた割合"),
    "depth.col.stalled_fraction": ("stalled", "停滞"),
    "depth.col.escaped_fraction": ("escaped", "抜け出した"),
    "depth.col.stuck_fraction": ("stalled at the end", "最後まで停滞"),
    "depth.col.saddles": ("saddles / tested", "鞍点 / 判定数"),
    "depth.col.minima": ("minima / tested", "極小点 / 判定数"),
    "depth.col.grad_ratio": ("first ÷ output gradient", "第 1 層 ÷ 出力層の勾配"),
    "depth.col.blocked": ("blocked", "遮断"),
    "depth.hint": ("What to look at: where success falls as the sigmoid net gets deeper, and whether its stalled trials "
                  "sit at saddle points.",
                  "見どころ：シグモイドのネットワークが深くなるとどこで成功率が下がるか、そして停滞した試行が鞍点にいる"
                  "かどうか。"),
}
