"""Texts of the optimizers page (English, 日本語), merged into lab.dashboard.texts.common.STRINGS."""

STRINGS: dict[str, tuple[str, str]] = {
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
    # ---- the optimizers page's script download
    "exp.pick": ("PyTorch script of", "PyTorch スクリプトにする最適化手法"),
    "exp.placeholder": ("Choose an optimizer…", "最適化手法を選択…"),
    "exp.seed": ("Seed of the script", "スクリプトのシード"),
    "exp.download": ("Download as a PyTorch script", "PyTorch スクリプトとしてダウンロード"),
}
