"""Why a link's parameter was ignored, in Japanese: the reasons `lab.dashboard.shared.params` and `TrialConfig` give
(in English, as the command line shows them) matched by pattern and said again in Japanese. `reason(text, lang)`."""

from __future__ import annotations

import re

PATTERNS: tuple[tuple[str, str], ...] = (  # (English, as a regular expression; 日本語, with the groups)
    (r"must be given once", "1 回だけ指定してください"),
    (r"must be a whole number from (\S+) to (\S+)", r"\1 から \2 までの整数にしてください"),
    (r"must be a number from (\S+) to (\S+)", r"\1 から \2 までの数にしてください"),
    (r"must be a number", "数にしてください"),
    (r"must be 1 or 0 \(true or false\)", "1 または 0（true または false）にしてください"),
    (r"must be true or false", "true または false にしてください"),
    (r"must be one of (.+)", r"次のいずれかにしてください：\1"),
    (r"must be optimizer names separated by commas, from (.+)", r"最適化手法の名前をカンマ区切りで指定してください（\1 から）"),
    (r"must be numbers separated by commas, from (.+)", r"数をカンマ区切りで指定してください（\1 から）"),
    (r"must be a result key \(20 hex digits\)", "結果のキー（16 進数 20 桁）にしてください"),
    (r"must be a range of hidden layers like 1-8, within (.+)", r"中間層の数の範囲を 1-8 のように指定してください（\1 の中で）"),
    (r"must be (>=?) (\S+) and (<=?) (\S+)", r"\1 \2 かつ \3 \4 にしてください"),
    (r"must be at most the training set's (\d+) rows.*", r"訓練データの行数 \1 以下にしてください"),
    (r"must divide n_train = (\d+) evenly.*", r"n_train = \1 を割り切る数にしてください"),
    (r"needs a finite training set: set n_train too", "有限の訓練データが必要です：n_train も指定してください"),
    (r"set folds and fold together", "folds と fold は一緒に指定してください"),
    (r"unknown setting \(allowed: (.+)\)", r"不明な設定です（使えるもの：\1）"),
    (r"must be the class's code of (\d+) to (\d+) letters and digits", r"クラスのコード（英数字 \1〜\2 文字）にしてください"),
    (r"must be the teacher link's secret", "教員用リンクの合言葉にしてください"),
)


def reason(text: str, lang: str) -> str:
    """`text` (an English reason) in `lang`: Japanese where a pattern matches the whole reason, else as given."""
    if lang != "ja":
        return text
    for english, japanese in PATTERNS:
        if re.fullmatch(english, text, flags=re.DOTALL):
            return re.sub(english, japanese, text, count=1, flags=re.DOTALL)
    return text
