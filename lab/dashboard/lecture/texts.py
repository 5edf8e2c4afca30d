"""Texts of the lecture page (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS)."""

STRINGS: dict[str, tuple[str, str]] = {
    # ---- lecture page
    "lec.title": ("The lecture's experiment: learning AND", "講義の実験：AND の学習"),
    "lec.intro": ("The program from the lecture: a 2-2-1 sigmoid network learns AND from minibatches of 5 random rows "
                  "of the truth table, with MSE loss and Adam (learning rate 0.1), for 1,000 iterations. Each seed is "
                  "one run of that program; results are stored, so a seed seen once shows at once.",
                  "講義のプログラム：シグモイドの 2-2-1 ネットワークが、真理値表からランダムに選んだ 5 行のミニバッチで "
                  "AND を学習します（二乗誤差、Adam 学習率 0.1、1,000 反復）。シードごとにそのプログラムを 1 回"
                  "実行した結果です。結果は保存されるので、一度計算したシードはすぐに表示されます。"),
    "lec.exact.yes": ("Bitwise what the plain PyTorch program prints after torch.manual_seed(seed) on this server's "
                      "CPU: the engine follows this CPU's kernels.",
                      "このサーバーの CPU で torch.manual_seed(シード) の後に通常の PyTorch プログラムを実行した"
                      "結果とビット単位で一致します（エンジンはこの CPU の演算カーネルに合わせて計算します）。"),
    "lec.exact.no": ("Within about 1e-5 of what the plain PyTorch program prints on this server's CPU, not bitwise: "
                     "layers wider than 8, or kernels the engine cannot follow on this CPU.",
                     "このサーバーの CPU で通常の PyTorch プログラムを実行した結果との差は 1e-5 程度以内ですが、"
                     "ビット単位では一致しません（幅が 8 を超える層、またはこの CPU で再現できない演算カーネル）。"),
    "lec.hint": ("What to look at: press Play under \"Watch it learn\" (or drag its slider) and see when the "
                 "network's answer turns blue only at (1, 1); then read the log and the program below.",
                 "見どころ：「学習の様子」の再生ボタンを押し（またはスライダーを動かし）、ネットワークの答えが (1, 1) "
                 "だけ青になるのはいつかを見てください。その下にログとプログラムがあります。"),
    "lec.replay": ("Watch it learn", "学習の様子"),
    "lec.replay.slider": ("frame", "コマ"),
    "lec.replay.caption": ("The same trial at {frames} moments of its training (every {every} iterations): press "
                           "Play or drag the slider. Top: the network's answer on the input plane (blue near 1, "
                           "orange near 0) and the network (line width and colour = weight); middle: each hidden "
                           "unit's own output on the plane; bottom: the loss on the truth table with the moment "
                           "marked, and the 4 rows' outputs (dashed: 0.5). Computed once; the browser redraws each "
                           "frame.",
                           "同じ試行の学習中の {frames} 時点（{every} 反復ごと）：再生ボタンを押すか、スライダーを動かし"
                           "てください。上：入力平面上のネットワークの答え（青は 1 に近く、オレンジは 0 に近い）とネット"
                           "ワーク（線の太さと色＝重み）。中：各中間ユニットの平面上の出力。下：真理値表での損失（印が今"
                           "の時点）と 4 行の出力（破線が 0.5）。計算は 1 回だけで、各コマはブラウザが描き直します。"),
    "lec.replay.units": ("hidden units", "中間層のユニット"),
    "lec.replay.big": ("The replay is drawn for networks of at most {units} hidden units.",
                       "学習の様子は中間ユニットが {units} 個以下のネットワークで表示します。"),
    "lec.variations": ("Change the experiment", "実験の設定を変える"),
    "lec.this_run": ("Shown: {name} · seed {seed}", "表示中：{name} · シード {seed}"),
    "lec.reset": ("Back to the lecture's program", "講義のプログラムに戻す"),
    "lec.solved": ("Learned the truth table", "真理値表を学習できたか"),
    "lec.solved.yes": ("yes", "はい"),
    "lec.solved.no": ("no", "いいえ"),
    "lec.steps_to_solve": ("Solved from iteration", "正解し続けた最初の反復"),
    "lec.never": ("never", "なし"),
    "lec.final_loss": ("Last printed loss", "最後に表示された損失"),
    "lec.table_loss": ("Loss on the truth table", "真理値表での損失"),
    "lec.network": ("The trained network", "学習後のネットワーク"),
    "lec.network.caption": ("Edge labels are the trained weights (blue > 0, orange < 0, thicker = larger); "
                            "each unit shows its bias b.",
                            "辺のラベルは学習後の重み（青は正、オレンジは負、太いほど大きい）、各ユニットの b はバイアスです。"),
    "lec.weight": ("weight", "重み"),
    "lec.bias": ("bias", "バイアス"),
    "lec.boundary": ("Its answer on the whole input square", "入力平面全体での出力"),
    "lec.boundary.caption": ("The trained network evaluated on a grid over [0, 1]²: blue means output near 1, orange "
                             "near 0, white is the decision boundary 0.5. Dots: the 4 rows of the truth table, "
                             "coloured by their target.",
                             "[0, 1]² の格子点で学習後のネットワークを評価：青は出力が 1 に近く、オレンジは 0 に近く、白が"
                             "判定境界 0.5 です。点は真理値表の 4 行で、色は教師信号です。"),
    "lec.score": ("output", "出力"),
    "lec.boundary.short": ("the network's answer", "ネットワークの答え"),
    "lec.score.onehot": ("(y1 − y2 + 1) / 2", "(y1 − y2 + 1) / 2"),
    "lec.target": ("target", "教師信号"),
    "lec.log": ("The printed log", "表示されるログ"),
    "lec.log.caption": ("What the lecture's program prints: the minibatch loss every 100 iterations.",
                        "講義のプログラムが表示するもの：100 反復ごとのミニバッチ損失。"),
    "lec.curve": ("Loss over the iterations", "反復ごとの損失"),
    "lec.curve.minibatch": ("minibatch loss (printed)", "ミニバッチ損失（表示される値）"),
    "lec.curve.table": ("loss on the truth table", "真理値表での損失"),
    "lec.curve.series": ("curve", "曲線"),
    "lec.log_scale": ("Log scale", "対数目盛"),
    "lec.table": ("Truth table and the network's answers", "真理値表とネットワークの答え"),
    "lec.code": ("The PyTorch program of this run", "この実行のプログラム"),
    "lec.code.download": ("Download as a PyTorch script", "PyTorch スクリプトとしてダウンロード"),
    "lec.code.caption": ("Run it as a script: it prints the log above, number for number.",
                         "スクリプトとして実行すると、上のログと数字まで同じものが表示されます。"),
    "col.x1": ("x1", "x1"), "col.x2": ("x2", "x2"), "col.target": ("target", "教師信号"),
    "col.output": ("output", "出力"), "col.output_true": ("output y1 (true)", "出力 y1（真）"),
    "col.output_false": ("output y2 (false)", "出力 y2（偽）"), "col.answer": ("answer", "答え"),
    "col.correct": ("correct", "正解"),
}
