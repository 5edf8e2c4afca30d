"""Texts of the tuning page (learning rate and batch size) (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS)."""

STRINGS: dict[str, tuple[str, str]] = {
    # ---- tuning page
    "tun.title": ("Learning rate and batch size", "学習率とバッチサイズ"),
    "tun.intro": ("Hyper-parameters such as the learning rate and the minibatch size are chosen on validation "
                  "data; the test error, measured once on data never used for a choice, is the honest result. Each "
                  "optimizer is trained over a grid of learning rates; the one with the lowest validation error is "
                  "chosen and then reported on the test data, beside the optimizer's default.",
                  "学習率やミニバッチサイズなどのハイパーパラメータは確認データで選びます。選択に一度も使わないデータで"
                  "測るテスト誤差が正直な結果です。各最適化手法を学習率の格子で学習し、確認誤差が最小の学習率を選んで"
                  "からテストデータで評価し、既定の学習率と並べて示します。"),
    "tun.data": ("Data", "データ"),
    "tun.data.finite": ("Noisy AND: training, validation and test sets", "ノイズのある AND：訓練・確認・テストデータ"),
    "tun.data.stream": ("The lecture's stream of exact truth-table rows", "講義の真理値表の行（ノイズなし）の列"),
    "tun.seeds": ("Seeds per setting", "設定ごとのシード数"),
    "tun.grid": ("Grid", "格子"),
    "tun.per_decade": ("Learning rates per factor of 10", "10 倍あたりの学習率の数"),
    "tun.batches": ("Minibatch sizes", "ミニバッチサイズ"),
    "tun.batch_opt": ("Optimizer for the minibatch sizes", "ミニバッチサイズを比べる最適化手法"),
    "tun.batch_opt.help": ("Trained at its default learning rate.", "既定の学習率で学習します。"),
    "tun.this_run": ("Shown: {name} · learning rates {grid} · {seeds} seeds each",
                     "表示中：{name} · 学習率 {grid} · 各シード {seeds} 個"),
    "tun.stream": ("On the lecture's stream there is no held-out data: the learning rate is chosen on the loss on "
                   "the truth table, which is also the training data, and there is no test error to report.",
                   "講義のデータ列には取り置いたデータがありません。学習率は真理値表での損失（これは訓練データでも"
                   "あります）で選び、報告できるテスト誤差はありません。"),
    "tun.progress": ("Training {name}, minibatch {bs}… {done} of {total} trials done",
                     "{name}、ミニバッチ {bs} を学習中… {total} 試行中 {done} 完了"),
    "tun.lr": ("Learning rate", "学習率"),
    "tun.m.val_error": ("validation error (end)", "確認誤差（最後）"),
    "tun.m.test_error": ("test error (end)", "テスト誤差（最後）"),
    "tun.m.final_loss": ("training loss (end)", "訓練損失（最後）"),
    "tun.m.final_loss.stream": ("loss on the truth table (end)", "真理値表での損失（最後）"),
    "tun.m.success_rate": ("success rate (truth table solved)", "成功率（真理値表を正解）"),
    "tun.chosen": ("chosen on validation", "確認データで選んだ学習率"),
    "tun.default": ("default", "既定"),
    "tun.lr.caption": ("Medians over seeds at each learning rate (log scale). ◆: the rate chosen on validation error; "
                       "○: the optimizer's default. The test error of ◆ is the honest score of tuning.",
                       "各学習率でのシード全体の中央値（対数目盛）。◆：確認誤差で選んだ学習率、○：既定の学習率。◆ の"
                       "テスト誤差が、調整の正直な評価です。"),
    "tun.lr.caption.stream": ("Medians over seeds at each learning rate (log scale). ◆: the rate with the lowest loss "
                              "on the truth table; ○: the optimizer's default.",
                              "各学習率でのシード全体の中央値（対数目盛）。◆：真理値表での損失が最小の学習率、○：既定の"
                              "学習率。"),
    "tun.best": ("Tuned and default learning rates", "調整した学習率と既定の学習率"),
    "tun.col.best_lr": ("chosen lr", "選んだ学習率"),
    "tun.col.default_lr": ("default lr", "既定の学習率"),
    "tun.col.val": ("val. error", "確認誤差"),
    "tun.col.test": ("test error", "テスト誤差"),
    "tun.col.loss": ("table loss", "真理値表の損失"),
    "tun.col.success": ("success", "成功率"),
    "tun.best.caption": ("Chosen on validation error (ties broken by the loss on the truth table), then reported on "
                         "test data. Choosing by test error would flatter the result.",
                         "確認誤差で選び（同点は真理値表での損失で決定）、その後テストデータで評価。テスト誤差で選ぶと"
                         "結果がよく見えすぎます。"),
    "tun.best.caption.stream": ("Chosen on the loss on the truth table (the training data): no test error exists.",
                                "真理値表での損失（訓練データ）で選択：テスト誤差はありません。"),
    "tun.dl.best": ("Chosen learning rates (CSV)", "選んだ学習率（CSV）"),
    "tun.dl.grid": ("Whole grid (CSV)", "格子全体（CSV）"),
    "tun.batch": ("Minibatch size ({name})", "ミニバッチサイズ（{name}）"),
    "tun.batch.dropped": ("Left out: minibatch sizes {sizes}, larger than the {n} training examples.",
                          "訓練データ {n} 例より大きいミニバッチサイズ {sizes} は除きました。"),
    "tun.b.title.loss_noise": ("noise of the minibatch loss", "ミニバッチ損失のばらつき"),
    "tun.b.title.steps": ("iterations / examples to solve", "解けるまでの反復数・データ数"),
    "tun.b.title.error": ("test error (end)", "テスト誤差（最後）"),
    "tun.b.loss_noise": ("loss noise", "損失のばらつき"),
    "tun.b.steps_median": ("iterations (median)", "反復数（中央値）"),
    "tun.b.examples_seen_median": ("examples seen (median)", "見たデータ数（中央値）"),
    "tun.b.test_error_final_median": ("test error (median)", "テスト誤差（中央値）"),
    "tun.b.success_rate": ("success rate", "成功率"),
    "tun.batch.caption": ("Loss noise: the standard deviation of the minibatch loss around its moving average over "
                          "the second half of training (median over seeds). Solving: answering all four truth-table "
                          "rows right from then on; examples seen = iterations × minibatch size.",
                          "損失のばらつき：学習後半でのミニバッチ損失の移動平均まわりの標準偏差（シード全体の中央値）。"
                          "「解ける」：それ以降ずっと真理値表の 4 行すべてに正解すること。見たデータ数 = 反復数 × "
                          "ミニバッチサイズ。"),
    "tun.dl.batch": ("Minibatch table (CSV)", "ミニバッチの表（CSV）"),
    "tun.hint": ("What to look at: where each optimizer's validation error bottoms out (the diamond), and how far "
                 "that is from its default rate (the ring).",
                 "見どころ：各最適化手法の確認誤差が最も小さくなる学習率（ひし形）と、既定の学習率（丸）との"
                 "隔たり。"),
    "tun.edge.high": ("{names}: the rate chosen is the largest tried ({lr:g}); a larger rate may do better. The grid "
                      "stops there.",
                      "{names}：選ばれた学習率は試した中で最大（{lr:g}）です。格子の外のもっと大きな学習率のほうが"
                      "良いかもしれません。"),
    "tun.edge.low": ("{names}: the rate chosen is the smallest tried ({lr:g}); a smaller rate may do better. The grid "
                     "stops there.",
                     "{names}：選ばれた学習率は試した中で最小（{lr:g}）です。格子の外のもっと小さな学習率のほうが"
                     "良いかもしれません。"),
}
