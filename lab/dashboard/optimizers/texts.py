"""Texts of the optimizers page (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS)."""

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
    "cmp.solved": ("Seeds solved by iteration t (Kaplan–Meier, 95% band)",
                   "反復 t までに解けた割合（Kaplan–Meier 推定、95% 帯）"),
    "cmp.solved.y": ("solved", "解けた割合"),
    "cmp.solved.band": ("95% band", "95% 帯"),
    "cmp.solved.caption": ("Time to solve as survival data: a seed not solved by the last iteration (dashed line) is "
                           "censored there, not counted as a failure at infinity. Band: pointwise 95% (log-log).",
                           "解けるまでの時間を生存時間データとして扱います：最後の反復（破線）までに解けないシードはそこで打ち"
                           "切り、無限大での失敗とは数えません。帯は各点の 95% 信頼区間（log-log 法）。"),
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
    "cmp.pairs": ("Is one better? Every pair tested", "どちらが優れているか：すべての組の検定"),
    "cmp.pairs.one": ("Choose two or more optimizers to test them pair by pair.",
                      "2 つ以上の最適化手法を選ぶと、組ごとに検定します。"),
    "cmp.pairs.caption": ("Success: difference a − b with Newcombe's 95% interval. Speed: log-rank test of the "
                          "iterations to solve. Final loss: Mann–Whitney rank test, effect = chance that a ends lower. "
                          "Holm: p-values adjusted for the {n} pairs; a verdict claims a difference only where one is "
                          "at or below 0.05.",
                          "成功率：差 a − b と Newcombe の 95% 信頼区間。速さ：解けるまでの反復数のログランク検定。最終損失："
                          "Mann–Whitney の順位検定、効果量は a のほうが小さくなる確率。Holm：{n} 組について補正した p 値。"
                          "判定は補正後の p 値が 0.05 以下のときだけ差があると述べます。"),
    "cmp.verdicts": ("Verdicts ({n} pairs)", "判定（{n} 組）"),
    "pcol.a": ("a", "a"),
    "pcol.b": ("b", "b"),
    "pcol.success_diff": ("success a − b", "成功率の差 a − b"),
    "pcol.success_diff_lo": ("95% ↓", "95% 下限"),
    "pcol.success_diff_hi": ("95% ↑", "95% 上限"),
    "pcol.logrank_p": ("log-rank p", "ログランク p"),
    "pcol.logrank_p_holm": ("log-rank p (Holm)", "ログランク p（Holm）"),
    "pcol.median_steps_a": ("median iterations a", "反復数の中央値 a"),
    "pcol.median_steps_b": ("median iterations b", "反復数の中央値 b"),
    "pcol.loss_u_p_holm": ("rank test p (Holm)", "順位検定 p（Holm）"),
    "pcol.loss_effect": ("effect: a lower", "効果量：a が小さい確率"),
    "cmp.downloads": ("Downloads", "ダウンロード"),
    "cmp.dl.pairs": ("Pairwise table (CSV)", "組ごとの検定表（CSV）"),
    "cmp.dl.thinned": ("Every seed's curves at every iteration would be {rows:,} rows, more than one file here holds "
                       "({limit:,}; a spreadsheet takes at most 1,048,576): the file holds iterations 0, {k}, {k2}, … "
                       "({kept:,} rows). `python -m lab store export KEY --curves --csv FILE` writes them all, one "
                       "config each (KEY: see `store ls`).",
                       "全シードの全反復の曲線は {rows:,} 行になり、ここで作る 1 ファイルの上限（{limit:,} 行。表計算ソフト"
                       "は最大 1,048,576 行）を超えるため、反復 0, {k}, {k2}, … の値（{kept:,} 行）を入れています。すべての行は "
                       "`python -m lab store export KEY --curves --csv FILE` で設定ごとに書き出せます（KEY は "
                       "`store ls` で確認）。"),
    "cmp.dl.table": ("Comparison table (CSV)", "比較表（CSV）"),
    "cmp.dl.curves": ("Every seed's curves (CSV)", "全シードの曲線（CSV）"),
    "cmp.dl.curves.help": ("One row per optimizer, seed and iteration; built when you click.",
                           "最適化手法・シード・反復ごとに 1 行。クリックした時に作成します。"),
    # ---- the optimizers page's script download
    "exp.pick": ("PyTorch script of", "PyTorch スクリプトにする最適化手法"),
    "exp.placeholder": ("Choose an optimizer…", "最適化手法を選択…"),
    "exp.seed": ("Seed of the script", "スクリプトのシード"),
    "exp.download": ("Download as a PyTorch script", "PyTorch スクリプトとしてダウンロード"),
    "cmp.hint": ("What to look at: whose median loss falls first, and how many of the seeds each optimizer solves (the"
                " success rates and their intervals).",
                "見どころ：どの最適化手法の損失の中央値が最初に下がるか、そして各手法がいくつのシードで解けるか（成功"
                "率とその区間）。"),
}
