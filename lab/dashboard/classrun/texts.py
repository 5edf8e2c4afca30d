"""Texts of the class run page (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS); the reasons the
class runs' database gives (`class.err.*`, lab.storage.classruns) are said here too."""

STRINGS: dict[str, tuple[str, str]] = {
    "nav.classrun": ("Class run", "クラスで実行"),
    "cls.title": ("A class run: one trial each, one picture for all", "クラスで実行：一人一試行、全員で一つの図"),
    "cls.intro": ("One run is one sample: the optimizer's behaviour is a distribution over seeds. Here the class draws "
                  "it together. The teacher starts a run of one experiment and shows its link; each student opens "
                  "it, puts in a seed (a student number will do) and adds one exact trial of the lecture's program; "
                  "every screen shows the class's runs as they come.",
                  "1 回の実行は 1 つの標本にすぎません。最適化手法のふるまいはシードにわたる分布です。ここではそれを"
                  "クラス全員で描きます。教員が実験を 1 つ始めてリンクを見せ、学生はそれぞれリンクを開いてシード"
                  "（学籍番号でもかまいません）を入れ、講義のプログラムを正確に 1 回実行して加えます。全員の画面に"
                  "クラスの結果が届いた順に表示されます。"),
    "cls.hint": ("What to look at: how many of the class got stuck (the bar \"never\") and how wide the 95% interval "
                 "of the success rate still is; then what a thousand seeds of the same program would show.",
                 "見どころ：クラスの何人が行き詰まったか（「解けず」の棒）と、成功率の 95% 区間がまだどれほど広いか。"
                 "次に、同じプログラムを 1,000 シード実行すると何が見えるか。"),
    # ---- start or join
    "cls.start.title": ("Start a class run", "クラスでの実行を始める"),
    "cls.start.caption": ("Choose the experiment (the lecture's program by default). You get the students' link with "
                          "a QR code and a teacher link of your own.",
                          "実験を選んでください（既定は講義のプログラム）。学生用のリンクと QR コード、教員用のリンクが"
                          "表示されます。"),
    "cls.start.button": ("Start a class run", "クラスでの実行を始める"),
    "cls.join.title": ("Join a class run", "クラスに参加する"),
    "cls.join.code": ("Class code", "クラスのコード"),
    "cls.join.button": ("Join", "参加する"),
    "cls.back": ("Start or join another class run", "別のクラスを始める・参加する"),
    # ---- the class run
    "cls.experiment": ("Class **{code}** · {name}", "クラス **{code}** · {name}"),
    "cls.link.students": ("Students' link (show it on the projector, or let them scan the QR code):",
                          "学生用のリンク（プロジェクターに映すか、QR コードを読み取ってもらいます）："),
    "cls.link.teacher": ("Your teacher link: keep it to yourself. It keeps control of this class run after a reload "
                         "or on another device (close the run, reveal the reference).",
                         "教員用のリンク：他の人には見せないでください。再読み込みしても別の端末からでも、この実行を"
                         "操作できます（締め切り、参照分布の表示）。"),
    "cls.qr": ("QR code of the students' link", "学生用リンクの QR コード"),
    "cls.close": ("Close the run", "締め切る"),
    "cls.reveal": ("Reveal the lab's 1,000 seeds", "ラボの 1,000 シードを表示"),
    "cls.closed": ("This class run is closed: no more runs are added.", "このクラスの実行は締め切られました。これ以上は"
                   "追加できません。"),
    "cls.teacher.mode": ("You are this class run's teacher.", "あなたはこのクラスの教員です。"),
    "cls.teacher.wrong": ("This link's teacher secret does not match this class: you see the students' view.",
                          "このリンクの教員用の合言葉はこのクラスのものではありません。学生の画面を表示しています。"),
    # ---- a student's run
    "cls.add.title": ("Add your run", "あなたの試行を加える"),
    "cls.seed": ("Your seed", "あなたのシード"),
    "cls.seed.help": ("Any whole number from 0 to {max}: your student number, a birthday, or a random one.",
                      "0 から {max} までの整数：学籍番号、誕生日、ランダムな数など。"),
    "cls.random": ("Random seed", "ランダムなシード"),
    "cls.nickname": ("Nickname (optional)", "ニックネーム（任意）"),
    "cls.nickname.help": ("Shown to nobody but kept with your run; at most {limit} characters.",
                          "誰にも表示されませんが試行と一緒に保存されます。{limit} 文字まで。"),
    "cls.add.button": ("Add my run", "自分の試行を追加"),
    "cls.add.training": ("Training your trial (seed {seed}) together with the class's others…",
                         "あなたの試行（シード {seed}）をクラスの他の試行と一緒に学習中…"),
    "cls.add.done": ("Your run (seed {seed}) joined the class.", "あなたの試行（シード {seed}）がクラスに加わりました。"),
    "cls.add.again": ("Seed {seed} is in this class already (one run per seed): here is that run.",
                      "シード {seed} はこのクラスにすでにあります（1 シード 1 試行）。その試行を表示します。"),
    "cls.mine.title": ("Your run: seed {seed}", "あなたの試行：シード {seed}"),
    "cls.mine.solved": ("Solved", "解けた"),
    "cls.mine.yes": ("yes", "はい"),
    "cls.mine.no": ("no", "いいえ"),
    "cls.mine.steps": ("Iterations to solve", "解けるまでの反復回数"),
    "cls.mine.loss": ("Final loss (truth table)", "最終損失（真理値表）"),
    "cls.replay": ("Watch your network learn", "あなたのネットワークの学習の様子"),
    "cls.replay.help": ("The replay of your trial: its decision map, hidden units and weights, frame by frame.",
                        "あなたの試行の再生：判定の地図、中間層のユニット、重みをコマごとに表示します。"),
    # ---- the class's picture
    "cls.picture": ("The class", "クラス全体"),
    "cls.count": ("Runs in this class", "このクラスの試行数"),
    "cls.rate": ("Solved", "解けた割合"),
    "cls.rate.interval": ("95% interval {lo}–{hi}", "95% 区間 {lo}–{hi}"),
    "cls.reference.rate": ("The lab's 1,000 seeds", "ラボの 1,000 シード"),
    "cls.empty": ("No runs yet: they appear here as the students add them.", "まだ試行はありません。学生が追加すると"
                  "ここに表示されます。"),
    "cls.curves": ("Every run's loss on the truth table (bold: the class's median)",
                   "全員の試行の真理値表での損失（太線はクラスの中央値）"),
    "cls.curves.caption": ("Each faint line is one student's run{mine}; the curves are thinned to {points} points "
                           "each.", "薄い線の 1 本が 1 人の試行です{mine}。各曲線は {points} 点に間引いています。"),
    "cls.curves.mine": (" (yours in pink)", "（あなたの試行はピンク）"),
    "cls.median": ("median", "中央値"),
    "cls.hist": ("Iterations to solve (the unsolved apart)", "解けるまでの反復回数（解けなかった試行は別）"),
    "cls.hist.x": ("iterations to solve", "解けるまでの反復回数"),
    "cls.hist.y": ("share of runs", "試行の割合"),
    "cls.never": ("never", "解けず"),
    "cls.series": ("runs", "試行"),
    "cls.series.class": ("this class", "このクラス"),
    "cls.series.reference": ("the lab's 1,000 seeds", "ラボの 1,000 シード"),
    "cls.reference.caption": ("This is what a thousand of you would see: the same experiment, seeds 0 to 999, "
                              "trained by the lab.", "1,000 人で実行するとこう見えます：同じ実験をシード 0〜999 で"
                              "ラボが学習した結果です。"),
    "cls.csv": ("Download the class's runs (CSV)", "クラスの試行をダウンロード（CSV）"),
    # ---- refused (lab.storage.classruns.ClassRunError reasons)
    "class.err.seed": ("A seed is a whole number from 0 to {max}.", "シードは 0 から {max} までの整数です。"),
    "class.err.code": ("There is no class run with the code {code}: check the link or the code.",
                       "コード {code} のクラスはありません。リンクかコードを確かめてください。"),
    "class.err.closed": ("This class run is closed: no more runs are added.", "このクラスの実行は締め切られました。"
                         "これ以上は追加できません。"),
    "class.err.teacher": ("Only the teacher's link can do that.", "それは教員用のリンクからしかできません。"),
    "class.err.nickname": ("A nickname has at most {limit} characters.", "ニックネームは {limit} 文字までです。"),
    "class.err.session_full": ("You have added {limit} runs to this class, the most one visitor may.",
                               "このクラスに {limit} 回追加しました。一人が追加できるのはここまでです。"),
    "class.err.class_full": ("This class run holds {limit} runs, the most it may: no more are added.",
                             "このクラスには上限の {limit} 試行があります。これ以上は追加できません。"),
    "class.err.database": ("The class runs' database cannot be reached just now; try again in a moment.",
                           "クラスのデータベースに今は接続できません。しばらくしてからもう一度試してください。"),
}
