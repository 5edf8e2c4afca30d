"""Texts of the papers page (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS), and each paper's
full reference (`REFERENCES`, from the claims file)."""

from lab.science.papers.claims import PAPERS as REFERENCES  # noqa: F401 - shown under each paper's claim

STRINGS: dict[str, tuple[str, str]] = {
    "nav.papers": ("What the papers say", "論文の主張"),
    "pap.title": ("What the papers say", "論文の主張を確かめる"),
    "pap.intro": ("The lecture's topics come from a handful of papers. Each claim below is measured on the lecture's "
                  "tiny nets, with a verdict decided by thresholds fixed before measuring "
                  "(`lab/science/papers/claims.py`): **holds**, **holds qualitatively** or **does not hold here**.",
                  "講義の話題はいくつかの論文に由来します。各論文の主張を講義の小さなネットワークで測り、測定前に決めた"
                  "しきい値（`lab/science/papers/claims.py`）で判定します：**成り立つ**、**定性的に成り立つ**、"
                  "**ここでは成り立たない**。"),
    "pap.hint": ("What to look at: the verdict column, then a paper's figure redrawn from the lab's measurement and, "
                 "where a claim does not hold, how the lecture's nets differ from the paper's.",
                 "見どころ：判定の列。次に、論文の図をこのラボの測定で描き直したものと、主張が成り立たない場合に"
                 "講義のネットワークが論文とどう違うか。"),
    "pap.empty": ("No claims table is stored yet, and none shipped for this claims file. Run `python -m lab papers` "
                  "on this server's store (about 5 minutes on 2 cores); this page then reads it.",
                  "まだ主張の表が保存されておらず、この主張ファイルに対応する同梱の表もありません。このサーバーの保存先で `python -m lab papers` を実行してください"
                  "（2 コアで約 5 分）。その後このページが表を読み込みます。"),
    "pap.shipped": ("Shown: the table the lab measured on {machine} on {date} (lab commit {commit}, PyTorch {torch}, "
                    "{seeds} seeds), shipped with the repository. Run `python -m lab papers` to measure it on this "
                    "machine; this page then shows that.",
                    "表示中：ラボが {date} に {machine} で測定し、リポジトリに同梱した表（ラボのコミット {commit}、"
                    "PyTorch {torch}、シード {seeds} 個）。このマシンで測るには `python -m lab papers` を実行して"
                    "ください。以後このページはその結果を表示します。"),
    "pap.shipped.some": ("From the shipped table: {papers}; the rest measured on this machine.",
                         "同梱の表から：{papers}。残りはこのマシンで測定したもの。"),
    "pap.from_store": ("Shown: the table measured on this server's store by `python -m lab papers`.",
                       "表示中：このサーバーの保存先で `python -m lab papers` により測定した表。"),
    "pap.note_lang": ("(in English only) ", "（注記は英語のみ）"),
    "pap.missing": ("Not stored yet for: {papers}. `python -m lab papers --only {first}` measures it.",
                    "未保存：{papers}。`python -m lab papers --only {first}` で測定できます。"),
    "pap.table": ("The claims table", "主張の表"),
    "pap.pick": ("Paper", "論文"),
    "pap.figure": ("The figure, redrawn from the lab's measurement", "ラボの測定で描き直した図"),
    "pap.verdicts": ("Verdicts", "判定"),
    "pap.differ.title": ("Where the lab's nets differ from the paper's", "講義のネットワークと論文の違い"),
    "pap.notes": ("What was measured (the command's notes)", "測定の詳細（コマンドの注記）"),
    "pap.csv": ("Download the table (CSV)", "表をダウンロード（CSV）"),
    "pap.command": ("The command that measured it: `python -m lab papers --csv claims.csv`",
                    "この表を作ったコマンド：`python -m lab papers --csv claims.csv`"),
    "verdict.holds": ("holds", "成り立つ"),
    "verdict.holds qualitatively": ("holds qualitatively", "定性的に成り立つ"),
    "verdict.does not hold here": ("does not hold here", "ここでは成り立たない"),
    "pcol.claim_id": ("claim", "主張"), "pcol.expected": ("expected", "予想"), "pcol.measured": ("measured", "測定値"),
    "pcol.ci": ("95 % interval", "95 % 区間"), "pcol.n": ("n", "n"), "pcol.verdict": ("verdict", "判定"),
    "pcol.note": ("note", "注記"),
    # figure words
    "pw.depth": ("hidden layers", "隠れ層の数"), "pw.sigma": ("initial scale σ", "初期スケール σ"),
    "pw.plateau": ("plateau length (updates)", "停滞の長さ（更新回数）"),
    "pw.learning_time": ("learning time (updates)", "学習時間（更新回数）"), "pw.init": ("initialisation", "初期化"),
    "pw.layer": ("hidden layer (1 = nearest the input)", "隠れ層（1 が入力側）"),
    "pw.energy": ("gradient energy ‖∂L/∂s‖²", "勾配エネルギー ‖∂L/∂s‖²"), "pw.activation": ("activation", "活性化関数"),
    "pw.success": ("success rate", "成功率"), "pw.step": ("iteration", "反復"),
    "pw.top_mean": ("top hidden layer's mean activation", "最上位の隠れ層の平均活性"),
    "pw.index": ("index (share of negative eigenvalues)", "指数（負の固有値の割合）"), "pw.loss": ("loss", "損失"),
    "pw.count": ("searches", "探索数"), "pw.net": ("network", "ネットワーク"), "pw.method": ("method", "手法"),
    "pw.fresh": ("success rate on fresh seeds", "新しいシードでの成功率"), "pw.side": ("side", "側"),
    # per paper: the claim in one sentence, the reference, the figure's caption, where the nets differ
    "pap.saxe.name": ("Saxe, McClelland & Ganguli 2014", "Saxe・McClelland・Ganguli 2014"),
    "pap.saxe.claim": ("From small weights a deep linear net sits on a plateau whose length grows like σ^−(D−1) with "
                       "D hidden layers (from the paper's Eq. 15; the paper plots learning time), and orthogonal "
                       "initialisation keeps the learning time from growing with depth.",
                       "小さな重みから始めた深い線形ネットワークは停滞し、その長さは隠れ層 D 個で σ^−(D−1) のように伸びる"
                       "（論文の式 15 から導かれる。論文自体は学習時間を図示）。直交初期化なら学習時間は深さとともに"
                       "伸びない。"),
    "pap.saxe.figure": ("Left: median plateau length against σ (log–log), dashed: the predicted slopes −1, −2, −3. "
                        "Right: learning time against depth, orthogonal vs scaled Gaussian initialisation.",
                        "左：σ に対する停滞の長さの中央値（両対数）、破線は予想される傾き −1、−2、−3。右：深さに対する"
                        "学習時間、直交初期化とスケールしたガウス初期化。"),
    "pap.saxe.differ": ("The paper's nets are wide (the modes decouple) and trained at the optimal learning rate per "
                        "depth; here width 2, four ±1 input rows and one learning rate per depth.",
                        "論文のネットワークは幅が広く（モードが分離する）、深さごとに最適な学習率で学習する。ここでは幅 2、"
                        "±1 の入力 4 行、深さごとに 1 つの学習率。"),
    "pap.glorot.name": ("Glorot & Bengio 2010", "Glorot・Bengio 2010"),
    "pap.glorot.claim": ("With the standard initialisation back-propagated gradients shrink by about 1/3 per tanh "
                         "layer (and by a further 1/16 for the sigmoid), the normalised initialisation trains deep "
                         "nets better, and a deep sigmoid net's top hidden layer saturates at 0 early in training.",
                         "標準的な初期化では逆伝播する勾配が tanh の層ごとに約 1/3 に縮み（シグモイドではさらに 1/16）、"
                         "正規化初期化は深いネットワークをよりよく学習させ、深いシグモイドネットワークの最上位の隠れ層は"
                         "学習の初期に 0 で飽和する。"),
    "pap.glorot.figure": ("Gradient energy per hidden layer at initialisation (depth 6); success by depth for the "
                          "two initialisations (95 % intervals); the top hidden layer's mean activation while a "
                          "depth-4 sigmoid net trains with SGD (median, 25–75 % band; the dashed line is 0.1).",
                          "初期化時の隠れ層ごとの勾配エネルギー（深さ 6）。2 つの初期化での深さ別の成功率（95 % 区間）。"
                          "深さ 4 のシグモイドネットワークを SGD で学習するときの最上位の隠れ層の平均活性（中央値と "
                          "25–75 % の帯、破線は 0.1）。"),
    "pap.glorot.differ": ("The paper: 1,000 units per layer, softmax with negative log-likelihood, image data, "
                          "minibatches of 10. Here: 2 units per layer, one sigmoid output with MSE, the four rows of "
                          "AND, minibatches of 5; with 2 units the biases (drawn too) move the pre-activations off 0.",
                          "論文：各層 1,000 ユニット、softmax と負の対数尤度、画像データ、ミニバッチ 10。ここ：各層 2 "
                          "ユニット、シグモイド出力 1 つと MSE、AND の 4 行、ミニバッチ 5。2 ユニットではバイアス（これも"
                          "初期化される）が活性化前の値を 0 からずらす。"),
    "pap.dauphin.name": ("Dauphin et al. 2014", "Dauphin ほか 2014"),
    "pap.dauphin.claim": ("The higher a critical point's loss, the larger its index (share of negative curvature "
                          "directions); the saddle-free Newton step −|H|⁻¹g escapes saddles that Newton's method is "
                          "drawn into.",
                          "臨界点の損失が高いほど指数（負の曲率の方向の割合）が大きい。鞍点なしニュートン法 −|H|⁻¹g は、"
                          "ニュートン法が引き込まれる鞍点から抜け出す。"),
    "pap.dauphin.figure": ("Loss against index of the critical points found (‖g‖ ≤ 1e-8; size: how many searches "
                           "ended there); the toy saddle 5x² − y² with Newton's and the saddle-free Newton path from "
                           "(1, 0.01).",
                           "見つかった臨界点（‖g‖ ≤ 1e-8）の指数に対する損失（点の大きさはそこで終わった探索の数）。"
                           "おもちゃの鞍点 5x² − y² と、(1, 0.01) からのニュートン法と鞍点なしニュートン法の経路。"),
    "pap.dauphin.differ": ("The paper's nets have thousands of parameters, whose critical points spread over many "
                           "losses; the 2-2-1 and 2-3-1 nets have 9 and 13, their finite critical points sit at a few "
                           "losses, and most searches end in gradient-flat regions (Frye et al. 2021) instead.",
                           "論文のネットワークはパラメータが数千あり、臨界点は多くの損失値に広がる。2-2-1 と 2-3-1 は 9 個と"
                           " 13 個で、有限の臨界点は少数の損失値に集まり、探索の多くは臨界点ではなく勾配平坦"
                           "領域（Frye ほか 2021）で終わる。"),
    "pap.fukumizu.name": ("Fukumizu & Amari 2000", "福水・甘利 2000"),
    "pap.fukumizu.claim": ("Plateaus of layered nets sit on singular sets where the net is a smaller one: a hidden "
                           "unit eliminated (outgoing weights 0) or two units overlapping (the same incoming weights).",
                           "階層型ネットワークの停滞は、より小さなネットワークと同じになる特異集合の上で起こる：隠れ"
                           "ユニットが消える（出力側の重みが 0）か、2 つのユニットが重なる（入力側の重みが同じ）。"),
    "pap.fukumizu.figure": ("Each stalled seed's longest stall, at its midpoint: which singular set it is near, and "
                            "how many Hessian eigenvalues are near 0.",
                            "停滞したシードごとに最も長い停滞の中点：どの特異集合に近いか、ヘッセ行列の固有値のうち "
                            "0 に近いものの数。"),
    "pap.fukumizu.differ": ("The paper's sets are exact (a weight exactly 0, two units exactly equal); the lecture's "
                            "2-unit nets trained with Adam on minibatches stall early and briefly, near no set by the "
                            "10 % test, though their Hessians there have many near-zero eigenvalues (other flat "
                            "directions); and few of them stall at all.",
                            "論文の集合は厳密なもの（重みがちょうど 0、2 つのユニットがちょうど同じ）。ミニバッチと Adam で"
                            "学習する各層 2 ユニットの講義のネットワークは、学習の初めに短く停滞し、10 % の基準ではどの集合"
                            "にも近くない。ただしそこでのヘッセ行列には 0 に近い固有値が多い（別の平坦な方向）。また停滞"
                            "するネットワーク自体が少ない。"),
    "pap.choi.name": ("Choi et al. 2019", "Choi ほか 2019"),
    "pap.choi.claim": ("A more general optimizer contains its special case: RMSprop with a huge ε and learning rate "
                       "η·ε is SGD with momentum, so fully tuned it can never do worse.",
                       "より一般的な最適化手法は特殊な場合を含む：ε を非常に大きくし学習率を η·ε にした RMSprop は "
                       "モーメンタム付き SGD そのもので、十分に調整すれば劣ることはない。"),
    "pap.choi.figure": ("Success rate on fresh seeds of every setting tried: Adam over 12 (ε, lr) pairs and Momentum "
                        "over 12 (μ, lr) pairs (each side's best chosen on other seeds); below, the largest parameter "
                        "difference over 1,000 float64 steps between torch.optim.RMSprop (ε = 1e12) and "
                        "torch.optim.SGD with momentum 0.9.",
                        "試した各設定の新しいシードでの成功率：12 組の (ε, lr) での Adam と 12 組の (μ, lr) での "
                        "Momentum（各側の最良は別のシードで選ぶ）。その下は、float64 で 1,000 ステップの間の "
                        "torch.optim.RMSprop（ε = 1e12）とモーメンタム 0.9 の torch.optim.SGD のパラメータの差の最大値。"),
    "pap.choi.differ": ("The inclusion is exact only when the general optimizer's grid reaches the special case's "
                        "best setting; the paper tunes with large budgets on big workloads, here 12 settings a side "
                        "on two tiny tasks, where Adam's coarse (ε, lr) grid can miss Momentum's best.",
                        "包含が厳密に成り立つのは、一般的な手法の探索範囲が特殊な場合の最良の設定に届くときだけ。論文は"
                        "大きな問題で多くの試行をかけて調整するが、ここでは 2 つの小さな課題で各側 12 設定であり、Adam の"
                        "粗い (ε, lr) の格子は Momentum の最良を逃しうる。"),
    "pap.choi.metric": ("max |Δθ| over 1,000 steps", "1,000 ステップでの max |Δθ|"),
    "pap.schmidt.name": ("Schmidt, Schneider & Hennig 2021", "Schmidt・Schneider・Hennig 2021"),
    "pap.schmidt.claim": ("Trying several optimizers at their default settings works about as well as tuning one.",
                          "いくつかの最適化手法を既定の設定で試すのは、1 つを調整するのとほぼ同じくらいうまくいく。"),
    "pap.schmidt.figure": ("Success rate on fresh seeds of every setting tried: the six optimizers at their "
                           "defaults and Adam over six learning rates (each side's best chosen on other seeds).",
                           "試した各設定の新しいシードでの成功率：既定の設定の 6 つの最適化手法と、6 つの学習率での "
                           "Adam（各側の最良は別のシードで選ぶ）。"),
    "pap.schmidt.differ": ("The paper: 8 deep-learning problems and 15 optimizers; here two tiny tasks, where one "
                           "setting can solve nearly every seed or a task can favour one optimizer's defaults.",
                           "論文：8 つの深層学習の問題と 15 の最適化手法。ここでは 2 つの小さな課題で、1 つの設定が"
                           "ほぼすべてのシードを解いたり、ある手法の既定値が有利だったりする。"),
}
