"""Every text of the dashboard in English and Japanese: `t(key, lang, **values)`.

Keys are grouped by page; `{name}` placeholders are filled by `str.format`. The Japanese follows the lecture's words
(損失, 最適化手法, 学習率, ミニバッチ, 活性化関数, シード, 試行).
"""

from __future__ import annotations

LANGS = ("ja", "en")

STRINGS: dict[str, tuple[str, str]] = {  # key: (English, 日本語)
    # ---- app frame
    "app.title": ("AND-learning optimizer lab", "AND 学習・最適化手法ラボ"),
    "nav.lecture": ("Lecture experiment", "講義の実験"),
    "nav.optimizers": ("Compare optimizers", "最適化手法の比較"),
    "nav.results": ("Stored results", "保存済みの結果"),
    "nav.depth": ("Depth and activation", "深さと活性化関数"),
    "nav.generalization": ("Generalization", "汎化"),
    "nav.tuning": ("Learning rate and batch size", "学習率とバッチサイズ"),
    "nav.neurons": ("From neurons to networks", "ニューロンからネットワークへ"),
    "url.ignored": ("Some settings in the link could not be used; their defaults are shown instead:",
                    "リンクの設定の一部は使えないため、既定値で表示しています："),
    "share.caption": ("Link to this view (copy it with the button at the right of the box):",
                      "この表示へのリンク（枠の右のボタンでコピーできます）："),
    "budget.over": ("This request is too large for this server: it needs {needed} units of work (trials × steps, "
                    "weighted by network and minibatch size) and the limit is {limit}. Use fewer seeds, optimizers or "
                    "steps, or a smaller network.",
                    "この設定はこのサーバーでは大きすぎます：必要な計算量は {needed}（試行数 × ステップ数、ネットワークと"
                    "ミニバッチの大きさで重み付け）で、上限は {limit} です。シード数・最適化手法・ステップ数を減らすか、"
                    "ネットワークを小さくしてください。"),
    "training": ("Training…", "学習中…"),
    # ---- shared names
    "f.task": ("Task (truth table)", "タスク（真理値表）"),
    "f.onehot": ("One-hot outputs", "one-hot 出力"),
    "f.onehot.help": ("Two output units with targets [1, 0] for true and [0, 1] for false, as in the lecture's first "
                      "code example.",
                      "講義の最初のコード例と同じく出力ユニットを 2 個にし、真なら [1, 0]、偽なら [0, 1] を教師信号に"
                      "します。"),
    "f.optimizer": ("Optimizer", "最適化手法"),
    "f.lr": ("Learning rate", "学習率"),
    "f.activation": ("Activation (hidden layers)", "活性化関数（中間層）"),
    "f.depth": ("Hidden layers", "中間層の数"),
    "f.width": ("Units per hidden layer", "中間層のユニット数"),
    "f.steps": ("Iterations", "反復回数"),
    "f.init": ("Initialisation", "初期化"),
    "f.loss": ("Loss function", "損失関数"),
    "f.batch": ("Minibatch size", "ミニバッチサイズ"),
    "f.full_batch": ("Full batch (all 4 rows every step)", "フルバッチ（毎回 4 行すべて）"),
    "f.seed": ("Seed", "シード"),
    "f.seed.help": ("Seed s is the lecture's program run after torch.manual_seed(s).",
                    "シード s は torch.manual_seed(s) の後に講義のプログラムを実行した結果です。"),
    "f.seeds": ("Seeds per optimizer", "最適化手法ごとのシード数"),
    "f.seeds.help": ("Each optimizer is trained from seeds 0, 1, …, n−1: the same initial weights and minibatches.",
                     "各最適化手法をシード 0, 1, …, n−1 で学習します（初期重みとミニバッチは共通）。"),
    "step": ("iteration", "反復"),
    "lr": ("lr", "学習率"),
    "median": ("median", "中央値"),
    "word.lr": ("lr", "学習率"),
    "word.it": ("it.", "反復"),
    "word.full": ("full batch", "フルバッチ"),
    "word.mbs": ("mbs", "ミニバッチ"),
    "loss": ("loss", "損失"),
    "optimizer": ("optimizer", "最適化手法"),
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
    # ---- optimizers page
    "cmp.title": ("Compare optimizers over many seeds", "多数のシードで最適化手法を比較"),
    "cmp.intro": ("One run shows one learning curve; here every optimizer is trained from the same seeds, and the "
                  "charts show the median and the spread over seeds. Results are stored config by config, so "
                  "nothing computed is lost when you change a setting.",
                  "1 回の実行では学習曲線は 1 本だけです。ここでは各最適化手法を同じシードで学習し、シード全体の中央値"
                  "とばらつきを示します。結果は設定ごとに保存されるので、設定を変えても計算済みの結果は失われません。"),
    "cmp.optimizers": ("Optimizers", "最適化手法"),
    "cmp.lrs": ("Learning rates", "学習率"),
    "cmp.lrs.with": ("Learning rates: {rates}", "学習率：{rates}"),
    "cmp.network": ("Network and data", "ネットワークとデータ"),
    "cmp.training": ("Training", "学習"),
    "cmp.run": ("Run", "実行"),
    "cmp.none": ("Choose at least one optimizer.", "最適化手法を 1 つ以上選んでください。"),
    "cmp.view": ("Display", "表示"),
    "cmp.metric": ("Curve", "曲線"),
    "metric.loss": ("Minibatch loss", "ミニバッチ損失"),
    "metric.table_loss": ("Loss on the truth table", "真理値表での損失"),
    "metric.table_error": ("Error rate on the truth table", "真理値表での誤り率"),
    "cmp.smooth": ("Smoothing (moving average, iterations)", "平滑化（移動平均の反復数）"),
    "cmp.logy": ("Log scale", "対数目盛"),
    "cmp.progress": ("Training {name}… {done} of {total} trials done", "{name} を学習中… {total} 試行中 {done} 完了"),
    "cmp.curves": ("{metric}: median over seeds, band = 25–75%", "{metric}：シード全体の中央値、帯は 25–75%"),
    "cmp.solved": ("Seeds solved by iteration t", "反復 t までに解けた割合"),
    "cmp.solved.y": ("solved", "解けた割合"),
    "cmp.steps": ("Iterations to solve", "解けるまでの反復数"),
    "cmp.steps.caption": ("One tick per solved seed; unsolved seeds count in the success rate below.",
                          "解けたシードごとに 1 本の目盛り。解けなかったシードは下の成功率に数えます。"),
    "cmp.steps.x": ("iterations to solve", "解けるまでの反復数"),
    "cmp.success": ("Success rate with its 95% interval", "成功率と 95% 信頼区間"),
    "cmp.success.x": ("success rate", "成功率"),
    "cmp.table": ("Comparison table", "比較表"),
    "cmp.table.caption": ("Solved: after the last iteration all 4 rows are answered right. Iterations to solve: the "
                          "first iteration from which they stay right; a median that falls on unsolved seeds is left "
                          "empty.",
                          "「解けた」：最後の反復の後に 4 行すべてに正しく答えること。解けるまでの反復数：それ以降ずっと"
                          "正解し続ける最初の反復。中央値が解けなかったシードに当たる場合は空欄です。"),
    "col.series": ("optimizer (lr)", "最適化手法（学習率）"),
    "col.success_rate": ("success rate", "成功率"),
    "col.success_ci": ("95% interval", "95% 信頼区間"),
    "col.solved": ("solved", "解けた数"),
    "col.n_trials": ("seeds", "シード数"),
    "col.steps_median": ("iterations (median)", "反復数（中央値）"),
    "col.steps_iqr": ("25–75%", "25–75%"),
    "col.final_loss": ("final loss (median)", "最終損失（中央値）"),
    "col.diverged": ("diverged", "発散"),
    "cmp.downloads": ("Downloads", "ダウンロード"),
    "cmp.dl.table": ("Comparison table (CSV)", "比較表（CSV）"),
    "cmp.dl.curves": ("Every seed's curves (CSV)", "全シードの曲線（CSV）"),
    "cmp.dl.curves.help": ("One row per optimizer, seed and iteration; built when you click.",
                           "最適化手法・シード・反復ごとに 1 行。クリックした時に作成します。"),
    # ---- results page
    "res.title": ("Stored results", "保存済みの結果"),
    "res.intro": ("Every experiment run here is stored on the server, one entry per configuration with all its "
                  "seeds; any page that needs it again reads it instead of training.",
                  "ここで実行した実験はすべてサーバーに保存されます（設定ごとに 1 件、全シードを含む）。"
                  "同じ設定が再び必要になったときは、学習せずに読み込みます。"),
    "res.empty": ("Nothing is stored yet: run the lecture's experiment or compare optimizers first.",
                  "まだ何も保存されていません。先に講義の実験か最適化手法の比較を実行してください。"),
    "res.count": ("Entries", "件数"),
    "res.size": ("Size on disk", "ディスク使用量"),
    "res.pick": ("Entry", "結果"),
    "res.pick.placeholder": ("Choose an entry…", "結果を選んでください…"),
    "res.missing": ("No stored result has the key `{key}`; it may have been deleted.",
                    "キー `{key}` の結果は保存されていません（削除された可能性があります）。"),
    "res.download": ("Download its curves (CSV)", "曲線をダウンロード（CSV）"),
    "res.delete": ("Delete…", "削除…"),
    "res.confirm": ("Delete the stored result `{name}` ({seeds} seeds)? It cannot be undone; it would be recomputed "
                    "when needed.",
                    "保存済みの結果 `{name}`（シード {seeds} 個）を削除しますか？元には戻せません（必要になれば再計算"
                    "されます）。"),
    "res.delete.off": ("Deleting is turned off on this server.", "このサーバーでは削除できない設定です。"),
    "res.confirm.yes": ("Yes, delete", "削除する"),
    "res.confirm.no": ("Cancel", "キャンセル"),
    "res.deleted": ("Deleted `{name}`.", "`{name}` を削除しました。"),
    "res.summary": ("Summary over its seeds", "シード全体のまとめ"),
    "res.config": ("Configuration", "設定"),
    "col.key": ("key", "キー"), "col.config": ("configuration", "設定"), "col.seeds": ("seeds", "シード"),
    "col.n_seeds": ("number of seeds", "シード数"), "col.size": ("size (KB)", "サイズ (KB)"),
    "col.modified": ("stored", "保存日時"), "col.status": ("status", "状態"),
}


def _merge_pages() -> None:
    """Each later page keeps its texts in its own module (lab/i18n_<page>.py)."""
    from . import i18n_depth, i18n_generalization, i18n_neurons

    for module in (i18n_depth, i18n_generalization, i18n_neurons):
        STRINGS.update(module.STRINGS)


_merge_pages()


def t(key: str, lang: str = "en", /, **values) -> str:
    """The text of `key` in `lang` ("ja" or "en"; anything else reads as English), with `values` filled in."""
    english, japanese = STRINGS.get(key, (key, key))
    text = japanese if lang == "ja" else english
    return text.format(**values) if values else text
