"""The texts every page shares (the frame, the menu, common words) in English and Japanese, and `translate`. Each
page's own texts are in its folder (`lab.dashboard.<page>.texts`); the shell assembles them (`shell.STRINGS`).

Keys are grouped by page; `{name}` placeholders are filled by `str.format`. The Japanese follows the lecture's words
(損失, 最適化手法, 学習率, ミニバッチ, 活性化関数, シード, 試行).
"""

from __future__ import annotations

LANGS = ("ja", "en")

STRINGS: dict[str, tuple[str, str]] = {  # key: (English, 日本語)
    # ---- app frame
    "app.title": ("AND-learning optimizer lab", "AND 学習・最適化手法ラボ"),
    "app.error": ("Something went wrong on this page; the details are in the server log.",
                  "このページでエラーが発生しました。詳細はサーバーのログにあります。"),
    "nav.lecture": ("Lecture experiment", "講義の実験"),
    "nav.optimizers": ("Compare optimizers", "最適化手法の比較"),
    "nav.results": ("Stored results", "保存済みの結果"),
    "nav.depth": ("Depth and activation", "深さと活性化関数"),
    "nav.generalization": ("Generalization", "汎化"),
    "nav.tuning": ("Learning rate and batch size", "学習率とバッチサイズ"),
    "nav.neurons": ("From neurons to networks", "ニューロンからネットワークへ"),
    "nav.landscape": ("Loss landscape", "損失の地形"),
    "url.ignored": ("Some settings in the link could not be used; their defaults are shown instead:",
                    "リンクの設定の一部は使えないため、既定値で表示しています："),
    "share.caption": ("Link to this view (copy it with the button at the right of the box). It opens in each "
                      "reader's own language; add &lang=ja or &lang=en to insist on one:",
                      "この表示へのリンク（枠の右のボタンでコピーできます）。読む人それぞれの言語で開きます。"
                      "言語を指定するには &lang=ja または &lang=en を付けてください："),
    "budget.over": ("This request is too large for this server: it needs {needed} units of work (trials × steps, "
                    "weighted by network and minibatch size) and the limit is {limit}. Use fewer seeds, optimizers or "
                    "steps, or a smaller network.",
                    "この設定はこのサーバーでは大きすぎます：必要な計算量は {needed}（試行数 × ステップ数、ネットワークと"
                    "ミニバッチの大きさで重み付け）で、上限は {limit} です。シード数・最適化手法・ステップ数を減らすか、"
                    "ネットワークを小さくしてください。"),
    "selfwarm.progress": ("Preparing the class's views: {ready} of {total} ready",
                          "授業用の表示を準備中：{total} 件中 {ready} 件完了"),
    "training": ("Training…", "学習中…"),
    "probing": ("Checking how this machine's PyTorch rounds its products…", "このマシンの PyTorch の積の丸め方を調べています…"),
    "queue.start": ("Queued for training…", "学習の順番待ち…"),
    "queue.waiting": ("Queued: {ahead} pieces of other visitors' work are ahead of this one. The page keeps answering; "
                      "results appear as soon as they are trained.",
                      "順番待ち：ほかの閲覧者の計算が {ahead} 件先にあります。結果は学習が終わりしだい表示されます。"),
    "queue.training": ("Training: {done} of {total} trials done (shared with everyone who asks for the same results)",
                       "学習中：{total} 試行のうち {done} 試行完了（同じ結果を求める全員で共有）"),
    "queue.session_full": ("This would queue more training for you than one visitor may have waiting (at most {limit} "
                           "pieces). Please wait for what you asked for to finish, or ask for fewer seeds or "
                           "configurations.",
                           "1 人が順番待ちにできる学習（最大 {limit} 件）を超えます。依頼した学習が終わるまで待つか、"
                           "シード数や設定の数を減らしてください。"),
    "queue.full": ("The server is busy: too much training is queued right now. Please try again in a minute, or ask "
                   "for fewer seeds or steps.",
                   "サーバーが混み合っています（学習の待ち行列がいっぱいです）。1 分ほどしてからもう一度試すか、"
                   "シード数や反復回数を減らしてください。"),
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
    "replay.play": ("▶ Play", "▶ 再生"), "replay.pause": ("❚❚ Pause", "❚❚ 一時停止"),
    "lr": ("lr", "学習率"),
    "median": ("median", "中央値"),
    "word.lr": ("lr", "学習率"),
    "word.it": ("it.", "反復"),
    "word.full": ("full batch", "フルバッチ"),
    "word.mbs": ("mbs", "ミニバッチ"),
    "word.fold": ("fold", "分割"),
    "word.no_bias": ("no biases", "バイアスなし"),
    "word.linear_out": ("linear output", "線形出力"),
    "loss": ("loss", "損失"),
    "optimizer": ("optimizer", "最適化手法"),
}


def translate(strings: dict, key: str, lang: str = "en", /, **values) -> str:
    """The text of `key` in `strings` (key: (English, 日本語)) in `lang` ("ja" or "en"; anything else reads as English),
    with `values` filled in; an unknown key reads as itself."""
    english, japanese = strings.get(key, (key, key))
    text = japanese if lang == "ja" else english
    return text.format(**values) if values else text
