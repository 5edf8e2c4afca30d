"""Texts of the generalization and tuning pages (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS).

The Japanese follows the lecture's words: 訓練データ, 確認データ (validation), テストデータ, 汎化誤差 (テスト誤差),
過学習, クロスバリデーション, ハイパーパラメータ.
"""

STRINGS: dict[str, tuple[str, str]] = {
    # ---- generalization page
    "gen.title": ("Generalization: training error and test error", "汎化：訓練誤差とテスト誤差"),
    "gen.intro": ("What matters is the error on data the network has never seen: the test (generalization) error. "
                  "Here a network learns a noisy AND from a small training set; validation data choose the "
                  "hyper-parameters and the moment to stop, and test data, used for nothing else, measure the result. "
                  "Trained too long, it overfits: the training error keeps falling while the test error rises.",
                  "重要なのは、ネットワークが見たことのないデータでの誤差、つまりテスト誤差（汎化誤差）です。ここでは"
                  "ノイズを含む AND を小さな訓練データで学習します。確認データでハイパーパラメータと学習を止める時点を"
                  "選び、ほかの何にも使わないテストデータで結果を測ります。学習を続けすぎると過学習が起こり、訓練誤差は"
                  "下がり続けてもテスト誤差は上がっていきます。"),
    "gen.preset": ("Preset", "プリセット"),
    "gen.preset.help": ("Fills in every setting below; you can then change them one by one.",
                        "下の設定をすべて埋めます。その後で一つずつ変更できます。"),
    "gen.preset.overfit": ("Overfitting: 20 noisy examples, a 2×32 network",
                           "過学習：ノイズのある 20 例、2×32 のネットワーク"),
    "gen.preset.more_data": ("More data: 200 noisy examples, the same network",
                             "データを増やす：ノイズのある 200 例、同じネットワーク"),
    "gen.preset.small_net": ("Small network: 20 noisy examples, 2 hidden units",
                             "小さなネットワーク：ノイズのある 20 例、中間ユニット 2 個"),
    "gen.data": ("Data", "データ"),
    "gen.net": ("Network and training", "ネットワークと学習"),
    "gen.n_train": ("Training examples", "訓練データの数"),
    "gen.noise": ("Input noise σ", "入力ノイズ σ"),
    "gen.noise.help": ("Each example is a truth-table row with Gaussian noise of this standard deviation added to "
                       "its two inputs.",
                       "各データは真理値表の 1 行の 2 つの入力に、この標準偏差のガウスノイズを加えたものです。"),
    "gen.label_flip": ("Label-flip rate", "ラベル反転率"),
    "gen.label_flip.help": ("The probability that an example's label is wrong (flipped).",
                            "データのラベルが誤っている（反転している）確率。"),
    "gen.seeds": ("Seeds", "シード数"),
    "gen.weight_decay": ("Weight decay", "重み減衰"),
    "gen.weight_decay.help": ("The optimizer's weight_decay (an L2 penalty on the weights).",
                              "最適化手法の weight_decay（重みへの L2 罰則）。"),
    "gen.run": ("Run", "実行"),
    "gen.this_run": ("Shown: {name} · {n} training, {val} validation, {test} test examples · {seeds} seeds",
                     "表示中：{name} · 訓練データ {n} 例、確認データ {val} 例、テストデータ {test} 例 · シード {seeds} 個"),
    "gen.progress": ("Training {name}… {done} of {total} trials done", "{name} を学習中… {total} 試行中 {done} 完了"),
    "gen.curves.error": ("Training, validation and test error over the iterations",
                         "反復ごとの訓練誤差・確認誤差・テスト誤差"),
    "gen.curves.loss": ("Training, validation and test loss over the iterations",
                        "反復ごとの訓練損失・確認損失・テスト損失"),
    "gen.view": ("Show", "表示"),
    "gen.view.error": ("Error rate", "誤り率"),
    "gen.view.loss": ("Loss", "損失"),
    "gen.y.error": ("error rate", "誤り率"),
    "gen.y.loss": ("loss", "損失"),
    "gen.set": ("data", "データ"),
    "gen.set.train": ("training", "訓練データ"),
    "gen.set.val": ("validation", "確認データ"),
    "gen.set.test": ("test", "テストデータ"),
    "gen.stop": ("early stopping ({step})", "早期終了（{step}）"),
    "gen.best": ("lowest median test error", "テスト誤差の中央値が最小"),
    "gen.story.overfit": ("The median test error is lowest ({best}) at iteration {step}; at the end it is {final}, "
                          "while the training error fell to {train}: the network overfits. Early stopping, at the "
                          "median iteration of lowest validation loss ({stop}), gives a test error of {at_stop}.",
                          "テスト誤差の中央値は反復 {step} で最小（{best}）となり、最後には {final} です。その間に訓練"
                          "誤差は {train} まで下がりました：過学習です。確認データの損失が最小となる反復（中央値 {stop}）"
                          "で早期終了すると、テスト誤差は {at_stop} です。"),
    "gen.story.none": ("No overfitting shows for these settings: the median test error is lowest ({best}) at "
                       "iteration {step} and is {final} at the end, with a training error of {train}. Early stopping "
                       "(iteration {stop}) gives {at_stop}.",
                       "この設定では過学習は見られません：テスト誤差の中央値は反復 {step} で最小（{best}）、最後は "
                       "{final} で、訓練誤差は {train} です。早期終了（反復 {stop}）では {at_stop} です。"),
    "gen.curves.caption": ("Lines: the median over seeds; bands: 25–75% of seeds. Every seed trains on the same data "
                           "sets (its own initial weights and minibatch order). Dashed line: early stopping, the "
                           "median over seeds of the iteration with the lowest validation loss. Ring: the lowest "
                           "median test error.",
                           "線はシード全体の中央値、帯はシードの 25–75%。すべてのシードが同じデータで学習します（初期重み"
                           "とミニバッチの順序はシードごと）。破線は早期終了：確認データの損失が最小となる反復の、シード"
                           "全体の中央値です。円はテスト誤差の中央値の最小点です。"),
    "gen.cap": ("Test error against capacity", "ネットワークの大きさとテスト誤差"),
    "gen.cap.intro": ("The same experiment at several widths of the hidden layers, everything else fixed.",
                      "中間層の幅だけを変えて同じ実験を行います（他の設定は固定）。"),
    "gen.widths": ("Widths", "中間層の幅"),
    "gen.cap.run": ("Run the widths", "幅ごとに実行"),
    "gen.cap.measure": ("measure", "指標"),
    "gen.cap.test_error_final": ("test error at the end", "最後のテスト誤差"),
    "gen.cap.test_error_best": ("test error at early stopping", "早期終了時のテスト誤差"),
    "gen.cap.train_error_final": ("training error at the end", "最後の訓練誤差"),
    "gen.cap.caption": ("Median over seeds, band 25–75%. Larger networks fit the training set better; whether the "
                        "test error follows is what the chart shows.",
                        "シード全体の中央値、帯は 25–75%。大きなネットワークほど訓練データによく合いますが、テスト誤差が"
                        "それに従うかどうかはグラフが示します。"),
    "gen.cv": ("k-fold cross-validation", "クロスバリデーション（k 分割）"),
    "gen.cv.intro": ("With little data, a separate validation set is costly: k-fold cross-validation reuses the "
                     "training set, holding out each of k folds in turn.",
                     "データが少ないと確認データを別に取っておくのは高くつきます。k 分割クロスバリデーションは訓練"
                     "データを k 個に分け、順に 1 つを確認用に取り置いて使い回します。"),
    "gen.folds": ("Folds k", "分割数 k"),
    "gen.cv_seeds": ("Seeds per fold", "分割ごとのシード数"),
    "gen.cv.run": ("Run the cross-validation", "クロスバリデーションを実行"),
    "gen.cv.indivisible": ("{k} folds need a number of training examples divisible by {k} (now {n}).",
                           "{k} 分割には {k} で割り切れる訓練データ数が必要です（現在 {n}）。"),
    "gen.cv.estimate": ("{k}-fold estimate", "{k} 分割による推定"),
    "gen.cv.estimate.help": ("Mean over folds of the median final validation error. Per fold: {folds}.",
                             "各分割での最後の確認誤差（中央値）の平均。分割ごと：{folds}。"),
    "gen.cv.val": ("Held-out validation error", "確認データでの誤差"),
    "gen.cv.test": ("Test error", "テスト誤差"),
    "gen.cv.caption": ("All at the end of training. Each fold trains on {rows} examples and validates on the other "
                       "{held} ({seeds} seeds per fold): with so few, each fold's estimate is coarse. The held-out "
                       "validation and test errors are those of the experiment above.",
                       "いずれも学習の最後の値。各分割は {rows} 例で学習し、残りの {held} 例で確認します（分割ごとに"
                       "シード {seeds} 個）。例が少ないため各分割の推定は粗くなります。確認データとテストデータの誤差"
                       "は上の実験のものです。"),
    "gen.table": ("Table", "表"),
    "gen.col.network": ("network", "ネットワーク"),
    "gen.col.best_step": ("early stop (it.)", "早期終了（反復）"),
    "gen.col.train_error_final_median": ("train, end", "訓練・最後"),
    "gen.col.val_error_best_median": ("val., early stop", "確認・早期終了"),
    "gen.col.test_error_best_median": ("test, early stop", "テスト・早期終了"),
    "gen.col.val_error_final_median": ("val., end", "確認・最後"),
    "gen.col.test_error_final_median": ("test, end", "テスト・最後"),
    "gen.table.caption": ("Medians over seeds; errors in percent. Network: hidden layers × units per layer; ◀ marks "
                          "the one set above, the others come from the widths section.",
                          "シード全体の中央値。誤差は百分率。ネットワーク：中間層の数 × 幅。◀ は上で設定したもの、他は"
                          "幅の節の結果です。"),
    "gen.download": ("Table (CSV)", "表（CSV）"),
    "gen.hint": ("What to look at: the iteration where the validation error is lowest (early stopping) while the "
                "training error keeps falling.",
                "見どころ：訓練誤差が下がり続ける一方で、確認誤差が最小になる反復（早期終了）。"),
}
