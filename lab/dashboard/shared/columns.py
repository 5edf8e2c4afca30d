"""The data dictionary offered beside the dashboard's downloads: each column's meaning and unit (English, 日本語), as
the README's "Data dictionary" gives them. `COLUMNS`: column -> (English, 日本語); `CONFIG`: any config field."""

FRACTION, PROB, STEPS, COUNT = ("fraction 0–1", "割合 0–1"), ("probability", "確率"), ("steps", "ステップ"), \
    ("count", "個数")


def _c(en: str, ja: str, unit: tuple[str, str]) -> tuple[str, str]:
    return f"{en} ({unit[0]})", f"{ja}（{unit[1]}）"


COLUMNS: dict[str, tuple[str, str]] = {
    # ---- comparison table (one row per config)
    "n_trials": _c("trials (seeds)", "試行数（シード数）", COUNT),
    "solved": _c("trials solved: all 4 rows right after the last step, not diverged",
                 "解けた試行：最後のステップの後に 4 行すべて正解し、発散していない", COUNT),
    "success_rate": _c("solved / n_trials", "solved / n_trials", FRACTION),
    "success_lo": _c("lower end of the 95% Wilson score interval of success_rate",
                     "success_rate の 95% Wilson スコア区間の下端", FRACTION),
    "success_hi": _c("upper end of the 95% Wilson score interval of success_rate",
                     "success_rate の 95% Wilson スコア区間の上端", FRACTION),
    "steps_median": _c("median steps to solve, an unsolved trial counting as never; empty when fewer than half solved",
                       "解けるまでのステップ数の中央値（解けない試行は無限大）。解けた試行が半数未満なら空欄", STEPS),
    "steps_q25": _c("25% quantile of the steps to solve; empty when it falls on unsolved trials",
                    "解けるまでのステップ数の 25% 分位点。解けない試行に当たれば空欄", STEPS),
    "steps_q75": _c("75% quantile of the steps to solve; empty when it falls on unsolved trials",
                    "解けるまでのステップ数の 75% 分位点。解けない試行に当たれば空欄", STEPS),
    "final_loss_median": _c("median loss on the 4 truth-table rows after the last step (not diverged)",
                            "最後のステップの後の真理値表 4 行での損失の中央値（発散を除く）", ("loss", "損失")),
    "final_loss_mean": _c("mean of the same", "同じく平均", ("loss", "損失")),
    "diverged": _c("trials whose loss or parameters became infinite or NaN", "損失かパラメータが無限大か NaN になった試行",
                   COUNT),
    # ---- pairwise table (one row per pair of configs)
    "a": _c("the first config of the pair", "組の 1 つ目の設定", ("name", "名前")),
    "b": _c("the second config of the pair", "組の 2 つ目の設定", ("name", "名前")),
    "n_a": _c("trials of a", "a の試行数", COUNT), "n_b": _c("trials of b", "b の試行数", COUNT),
    "success_a": _c("share of a's trials solved", "a の成功率", FRACTION),
    "success_b": _c("share of b's trials solved", "b の成功率", FRACTION),
    "success_diff": _c("success_a − success_b", "success_a − success_b", ("fraction −1 to 1", "割合 −1〜1")),
    "success_diff_lo": _c("lower end of the 95% Newcombe hybrid score interval of success_diff",
                          "success_diff の 95% Newcombe ハイブリッドスコア区間の下端", FRACTION),
    "success_diff_hi": _c("upper end of that interval", "同じ区間の上端", FRACTION),
    "logrank_p": _c("two-sided log-rank test of the times to solve (unsolved trials censored at the step budget)",
                    "解けるまでのステップ数のログランク検定（両側。解けない試行はステップ数の上限で打ち切り）", PROB),
    "logrank_p_holm": _c("logrank_p Holm-adjusted over the pairs of the table", "logrank_p を表の組数で Holm 補正",
                         PROB),
    "median_steps_a": _c("Kaplan–Meier median steps to solve of a; empty when fewer than half solved",
                         "a の解けるまでのステップ数の Kaplan–Meier 中央値。解けた試行が半数未満なら空欄", STEPS),
    "median_steps_b": _c("the same for b", "b について同じ", STEPS),
    "solved_a": _c("trials of a solved", "a の解けた試行数", COUNT),
    "solved_b": _c("trials of b solved", "b の解けた試行数", COUNT),
    "success_p": _c("two-sided Fisher's exact test of the success rates", "成功率の Fisher の正確検定（両側）", PROB),
    "success_p_holm": _c("success_p Holm-adjusted", "success_p を Holm 補正", PROB),
    "success_note": _c("why success_p is empty (all solved in both, none solved in either)",
                       "success_p が空欄の理由（両方とも全試行が解けた／どちらも解けない）", ("text", "文字列")),
    "logrank_z": _c("log-rank statistic of a: > 0 means a solves sooner", "a のログランク統計量：正なら a が早く解ける",
                    ("z-score", "z 値")),
    "logrank_note": _c("why logrank_p is empty", "logrank_p が空欄の理由", ("text", "文字列")),
    "median_lo_a": _c("95% interval of a's median steps to solve, lower end (Brookmeyer–Crowley); empty: open",
                      "a の中央値の 95% 区間の下端（Brookmeyer–Crowley）。空欄は開いた端", STEPS),
    "median_hi_a": _c("the same interval, upper end", "同じ区間の上端", STEPS),
    "median_lo_b": _c("the same for b, lower end", "b について同じ下端", STEPS),
    "median_hi_b": _c("the same for b, upper end", "b について同じ上端", STEPS),
    "loss_u_p": _c("two-sided Mann–Whitney U test of the final losses (diverged trials rank worst)",
                   "最終損失の Mann–Whitney の U 検定（両側。発散した試行は最悪）", PROB),
    "loss_u_p_holm": _c("loss_u_p Holm-adjusted", "loss_u_p を Holm 補正", PROB),
    "loss_effect": _c("effect size: chance that a trial of a ends with the lower final loss (ties half; 0.5: neither)",
                      "効果量：a の試行のほうが最終損失が小さくなる確率（同順位は半分、0.5 は差なし）", PROB),
    "loss_note": _c("why loss_u_p is empty", "loss_u_p が空欄の理由", ("text", "文字列")),
    "verdict": _c("the verdict on the pair (Holm-adjusted tests at 0.05)", "組の判定（Holm 補正した検定、有意水準 0.05）",
                  ("text", "文字列")),
    # ---- curves (one row per config, seed and step)
    "seed": _c("the trial's seed", "試行のシード", ("integer", "整数")),
    "step": _c("optimizer updates made (0: before any)", "最適化の更新回数（0 は更新前）", STEPS),
    "loss": _c("minibatch loss at that step, as the lecture's log prints it", "そのステップのミニバッチ損失（講義のログと同じ値）",
               ("loss", "損失")),
    "table_loss": _c("loss on the 4 truth-table rows", "真理値表 4 行での損失", ("loss", "損失")),
    "table_error": _c("share of the 4 truth-table rows answered wrong", "真理値表 4 行のうち誤答の割合", FRACTION),
    "grad_norm_<layer>": _c("norm of the gradient of one layer's parameters at that step (1: the first hidden layer, "
                            "the last: the output layer)", "そのステップでの層ごとのパラメータの勾配ノルム（1 が第 1 中間層、"
                            "最後が出力層）", ("norm", "ノルム")),
    # ---- a class run's runs (one row per student's trial)
    "trial_solved": _c("whether the trial was solved: all 4 rows right after the last step, not diverged",
                       "試行が解けたか：最後のステップの後に 4 行すべて正解し、発散していない", ("true/false", "true/false")),
    "steps_to_solve": _c("the first step from which the trial answers all 4 rows right; empty: never",
                         "それ以降ずっと 4 行すべてに正解する最初のステップ。空欄は解けなかった試行", STEPS),
    "final_loss": _c("loss on the 4 truth-table rows after the last step; empty: diverged",
                     "最後のステップの後の真理値表 4 行での損失。空欄は発散", ("loss", "損失")),
    "submitted_at": _c("when the run joined the class", "試行がクラスに加わった時刻", ("ISO 8601, UTC", "ISO 8601、UTC")),
    # ---- finite noisy data (generalization)
    "best_step_median": _c("median over trials of the evaluation step with the lowest validation loss",
                           "検証損失が最小になった評価ステップの試行全体での中央値", STEPS),
    "val_error_best_median": _c("median validation error at that step", "そのステップでの検証誤差の中央値",
                                ("fraction of examples wrong", "誤答した例の割合")),
    "test_error_best_median": _c("median test error at that step", "そのステップでのテスト誤差の中央値",
                                 ("fraction of examples wrong", "誤答した例の割合")),
    "val_error_final_median": _c("median validation error after the last step", "最後のステップの後の検証誤差の中央値",
                                 ("fraction of examples wrong", "誤答した例の割合")),
    "train_error_final_median": _c("median training error after the last step", "最後のステップの後の訓練誤差の中央値",
                                   ("fraction of examples wrong", "誤答した例の割合")),
    "test_error_final_median": _c("median test error after the last step", "最後のステップの後のテスト誤差の中央値",
                                  ("fraction of examples wrong", "誤答した例の割合")),
    # ---- depth page
    "stalled": _c("trials with a plateau of 100 or more steps", "100 ステップ以上の停滞があった試行", COUNT),
    "stalled_fraction": _c("stalled / n_trials", "stalled / n_trials", FRACTION),
    "escaped_fraction": _c("of the stalled trials, the share solved in the end", "停滞した試行のうち最後に解けた割合",
                           FRACTION),
    "stuck_fraction": _c("share of trials still on a plateau at the last step", "最後のステップでまだ停滞中の試行の割合",
                         FRACTION),
    "saddle_fraction": _c("of the stalls tested, the share whose Hessian shows a saddle; empty when none was tested",
                          "検定した停滞のうちヘッセ行列が鞍点を示した割合。検定なしなら空欄", FRACTION),
    "minimum_fraction": _c("of the stalls tested, the share at a minimum", "検定した停滞のうち極小点の割合", FRACTION),
    "near_stationary_fraction": _c("of the stalls tested, the share near a stationary point",
                                   "検定した停滞のうち停留点の近くにあった割合", FRACTION),
    "n_tested": _c("stalls tested with the exact Hessian", "厳密なヘッセ行列で検定した停滞の数", COUNT),
    "grad_ratio": _c("median gradient norm of the first layer over the output layer's", "第 1 層と出力層の勾配ノルムの比の中央値",
                     ("ratio", "比")),
    "blocked_fraction": _c("share of trials with no gradient reaching the first layer at the end",
                           "最後に第 1 層へ勾配が届かない試行の割合", FRACTION),
}

CONFIG = ("the config's settings, one column each (`python -m lab run --help` says what each is); empty: not used "
          "by that optimizer", "設定の各項目（それぞれの意味は `python -m lab run --help`）。空欄はその最適化手法で使わない項目")
OTHER = ("see the data dictionary in the README", "README のデータ辞書を参照")

STRINGS: dict[str, tuple[str, str]] = {
    "dict.title": ("Columns of these files", "これらのファイルの列"),
    "dict.intro": ("CSV files are UTF-8 with a byte-order mark; empty cells are missing values; columns empty in every "
                   "row are left out; statistics are rounded to 4 significant digits, the numbers the page's tables "
                   "show (some as percentages); measured losses are as measured.",
                   "CSV は BOM 付き UTF-8 です。空欄は欠損値、すべての行で空の列は省いています。統計量はページの表と同じ"
                   "値で、有効数字 4 桁に丸めています（表では百分率のものもあります）。測定した損失はそのままの値です。"),
}
