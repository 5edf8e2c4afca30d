"""Texts of the neurons page (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS); `exp.*`: the optimizers page's script
download."""

FUNCTION_NAMES: dict[str, tuple[str, str]] = {  # lab.science.neurons.FUNCTIONS' names, as shown
    "false": ("always 0", "常に 0"), "true": ("always 1", "常に 1"),
    "AND": ("AND", "AND"), "OR": ("OR", "OR"), "NAND": ("NAND", "NAND"), "NOR": ("NOR", "NOR"),
    "XOR": ("XOR", "XOR"), "XNOR": ("XNOR", "XNOR"),
    "x1": ("x1", "x1"), "x2": ("x2", "x2"), "not x1": ("NOT x1", "NOT x1"), "not x2": ("NOT x2", "NOT x2"),
    "x1 and not x2": ("x1 AND NOT x2", "x1 AND NOT x2"), "not x1 and x2": ("NOT x1 AND x2", "NOT x1 AND x2"),
    "x1 or not x2": ("x1 OR NOT x2", "x1 OR NOT x2"), "not x1 or x2": ("NOT x1 OR x2", "NOT x1 OR x2"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "x1": ("x1", "x1"), "x2": ("x2", "x2"), "u": ("sum u", "和 u"), "y": ("output y", "出力 y"),
    "update": ("update", "更新"), "epoch": ("epoch", "エポック"),
    "target": ("target t", "教師信号 t"), "output": ("output y (before)", "更新前の出力 y"),
    "w1": ("w1 after", "更新後の w1"), "w2": ("w2 after", "更新後の w2"), "b": ("b after", "更新後の b"),
    "task": ("function", "関数"), "converged": ("converged", "収束"), "updates": ("updates", "更新回数"),
    "epochs": ("epochs", "エポック数"), "cycle_length": ("updates per cycle", "1 周期の更新回数"),
    "cycle_state": ("repeating (w1, w2, b)", "繰り返す (w1, w2, b)"), "d": ("layers d", "層の数 d"),
    "bound": ("kept ≤ (1/4)^d", "残る勾配 ≤ (1/4)^d"), "factor": ("(1/4)^d", "(1/4)^d"),
}

STRINGS: dict[str, tuple[str, str]] = {
    "neu.title": ("From neurons to networks", "ニューロンからネットワークへ"),
    "neu.intro": (
        "The lecture's history of neural networks, computed: McCulloch and Pitts' formal neuron (1943), Rosenblatt's "
        "perceptron (1958), Minsky and Papert's XOR (1969), and the sigmoid networks of the 1980s, trained by "
        "backpropagation, that learn it.",
        "講義で紹介されたニューラルネットワークの歴史を、実際に計算して確かめます：マカロックとピッツの形式ニューロン"
        "（1943）、ローゼンブラットのパーセプトロン（1958）、ミンスキーとパパートが示した XOR の問題（1969）、そして"
        "誤差逆伝播法で学習し XOR を解く 1980 年代のシグモイド関数のネットワーク。"),
    # ---- the formal neuron
    "neu.mp.title": ("1. The formal neuron: a weighted sum and a step", "1. 形式ニューロン：重み付き和とステップ関数"),
    "neu.mp.intro": (
        "It fires (1) when w1 x1 + w2 x2 + b > 0 and stays silent (0) otherwise. Move the weights, or pick one of "
        "the classic neurons: AND, OR and NOT are enough to build any logic circuit.",
        "w1 x1 + w2 x2 + b > 0 のとき発火し（1）、そうでなければ発火しません（0）。重みを動かすか、代表的な"
        "ニューロンを選んでください。AND・OR・NOT があれば任意の論理回路を構成できます。"),
    "neu.w1": ("weight w1", "重み w1"), "neu.w2": ("weight w2", "重み w2"), "neu.b": ("bias b (minus the threshold)",
                                                                                "バイアス b（しきい値の符号を反転）"),
    "neu.presets": ("Classic neurons (NOT ignores x2):", "代表的なニューロン（NOT は x2 を無視）："),
    "neu.mp.computes": ("This neuron computes", "このニューロンが計算する関数"),
    "neu.mp.impossible": ("no single neuron", "1 個では不可能"),
    "neu.mp.line": ("Decision line: {eq}. Shaded: where the neuron fires. Dashed: the input square.",
                    "決定境界：{eq}。塗られた側で発火します。破線は入力の正方形です。"),
    "neu.mp.constant": ("w1 = w2 = 0: no line; the neuron ignores its inputs and is constant.",
                        "w1 = w2 = 0：境界線はなく、入力によらず出力は一定です。"),
    "neu.mp.caption": (
        "A line splits the plane in two, so one neuron computes 14 of the 16 functions of two inputs: all but XOR and "
        "XNOR, whose 1s sit on opposite corners (linearly non-separable).",
        "直線は平面を 2 つに分けるだけなので、1 個のニューロンが計算できるのは 2 入力の 16 個の関数のうち 14 個です。"
        "XOR と XNOR は 1 が対角の位置にあり、直線では分けられません（線形非分離）。"),
    # ---- the perceptron
    "neu.pc.title": ("2. Rosenblatt's perceptron rule", "2. ローゼンブラットのパーセプトロンの学習則"),
    "neu.pc.intro": (
        "The rows are shown one at a time, in order; on a wrong answer the weights move towards the target: "
        "w ← w + (t − y) x, b ← b + (t − y), starting from 0. It stops after an epoch without a mistake.",
        "真理値表の行を順に 1 行ずつ与え、答えが間違っていれば重みを教師信号の方向へ動かします："
        "w ← w + (t − y) x、b ← b + (t − y)（初期値 0）。1 エポックの間に間違いがなければ終了します。"),
    "neu.pc.task": ("Function to learn", "学習する関数"),
    "neu.pc.outcome": ("Converges", "収束するか"), "neu.pc.yes": ("yes", "する"), "neu.pc.never": ("never", "しない"), "neu.pc.updates": ("Updates", "更新回数"),
    "neu.pc.cycle": ("Updates per cycle", "1 周期の更新回数"), "neu.pc.state": ("Weights (w1, w2, b)", "重み (w1, w2, b)"),
    "neu.pc.done": ("{task} learned after {n} updates ({epochs} epochs): (w1, w2, b) = {w}.",
                    "{task} を {n} 回の更新（{epochs} エポック）で学習しました：(w1, w2, b) = {w}。"),
    "neu.pc.cycling": (
        "{task} is never learned: from epoch {first} on, every epoch makes the same {n} updates and brings the "
        "weights back to {w}, forever (shown: {turns} turns). Minsky and Papert: no line separates XOR.",
        "{task} は学習できません：エポック {first} 以降、毎エポック同じ {n} 回の更新を繰り返して重みが {w} に戻り、"
        "これが永遠に続きます（{turns} 周分を表示）。ミンスキーとパパート：XOR を分ける直線は存在しません。"),
    "neu.pc.weights": ("The weights after each update", "各更新の後の重み"),
    "neu.value": ("value", "値"), "neu.weight": ("weight", "重み"),
    "neu.pc.repeat": ("back to the repeating state at update", "繰り返す状態に戻った更新"),
    "neu.pc.lines": ("The decision line after each update (older: fainter)", "各更新の後の決定境界（古いものほど薄い）"),
    "neu.pc.caption": (
        "Dots: the rows coloured by their target (blue 1, orange 0); shaded: where the last neuron fires. A grey band "
        "in the weights marks each return to the repeating state.",
        "点は教師信号で色分けした行（青 1、橙 0）、塗りは最後のニューロンが発火する領域です。重みのグラフの灰色の帯は、"
        "繰り返す状態に戻った更新を示します。"),
    "neu.pc.all": ("Every function at once", "すべての関数の結果"),
    "neu.pc.all.caption": ("The linearly separable ones converge (Novikoff's theorem); XOR cycles.",
                           "線形分離可能な関数は収束し（ノビコフの定理）、XOR は同じ状態を巡り続けます。"),
    # ---- the XOR network
    "neu.mlp.title": ("3. A network of sigmoid neurons learns XOR", "3. シグモイド関数のネットワークは XOR を学習する"),
    "neu.mlp.intro": (
        "Replace the step by the sigmoid and add a hidden layer: the lecture's 2-2-1 network, trained by "
        "backpropagation with Adam (lr 0.1, minibatches of 5, 1,000 iterations), now on XOR. Two hidden units can "
        "draw the two lines XOR needs, but not every seed finds them.",
        "ステップ関数をシグモイド関数に置き換え、中間層を加えます：講義の 2-2-1 ネットワークを誤差逆伝播法と Adam"
        "（学習率 0.1、ミニバッチ 5、1,000 反復）で XOR について学習させます。中間ユニット 2 個で XOR に必要な 2 本の"
        "直線を引けますが、どのシードでも見つかるとは限りません。"),
    "neu.mlp.series": ("2-{w}-1", "2-{w}-1"), "neu.mlp.net": ("network", "ネットワーク"),
    "neu.mlp.map": ("Its answer over the input square: 2-{w}-1, seed {seed}", "入力平面での答え：2-{w}-1、シード {seed}"),
    "neu.mlp.replay": ("Watch it learn: 2-{w}-1, seed {seed}", "学習の様子：2-{w}-1、シード {seed}"),
    "neu.mlp.seeds": ("Which of seeds 0–{n} learn XOR", "シード 0〜{n} のうち XOR を学習できたもの"),
    "neu.mlp.status": ("XOR", "XOR"),
    "neu.mlp.yes": ("learned", "学習できた"), "neu.mlp.no": ("not learned", "学習できず"),
    "neu.mlp.count": ("2-{w}-1: **{k} of {n}** seeds learn XOR within {steps:,} iterations.",
                      "2-{w}-1：{n} シード中 **{k}** シードが {steps:,} 反復以内に XOR を学習しました。"),
    "neu.mlp.caption": ("Computed here, from the stored trials (seed s: torch.manual_seed(s) before the lecture's "
                        "program). The ringed square is the seed shown at the left.",
                        "保存された試行から計算しています（シード s：講義のプログラムの前に torch.manual_seed(s)）。"
                        "枠で囲んだ四角が左に表示中のシードです。"),
    # ---- activations
    "neu.act.title": ("4. Activation functions and their slopes", "4. 活性化関数とその傾き"),
    "neu.act.intro": (
        "Backpropagation multiplies the slopes of the activations layer by layer. The step's slope is 0 wherever it "
        "exists, so it gives no gradient at all; the sigmoid's is at most 1/4.",
        "誤差逆伝播法では、層ごとに活性化関数の傾き（微分）が掛け合わされます。ステップ関数の傾きは定義される所では"
        "すべて 0 で、勾配がまったく伝わりません。シグモイド関数の傾きは最大でも 1/4 です。"),
    "neu.act.function": ("function", "関数"), "neu.act.step": ("step", "ステップ関数"), "neu.act.sigmoid": ("sigmoid", "シグモイド関数"),
    "neu.act.tanh": ("tanh", "tanh 関数"), "neu.act.relu": ("ReLU", "ReLU 関数"),
    "neu.act.value": ("The functions f(u)", "関数 f(u)"), "neu.act.value.y": ("f(u)", "f(u)"),
    "neu.act.derivative": ("Their derivatives f′(u)", "導関数 f′(u)"), "neu.act.derivative.y": ("f′(u)", "f′(u)"),
    "neu.act.note": ("sigmoid′ ≤ 1/4\n(largest at u = 0)", "シグモイドの傾き ≤ 1/4\n（最大は u = 0）"),
    "neu.act.vanishing": (
        "Through d sigmoid layers the gradient is multiplied by d slopes of at most 1/4 each, so even in the best "
        "case (weights of size 1, every unit at u = 0) only (1/4)^d of it is left: {six} after 6 layers. This is "
        "the vanishing gradient behind the lecture's remark that networks of four or more layers stall; tanh and "
        "ReLU have slope up to 1.",
        "d 層のシグモイド関数を通ると、勾配には最大 1/4 の傾きが d 回掛かります。最良の場合（重みの大きさ 1、"
        "すべてのユニットが u = 0）でも残るのは (1/4)^d で、6 層では {six} です。講義の「4 段以上のネットワークでは"
        "学習が停滞する」の背後にある勾配消失です。tanh と ReLU の傾きは最大 1 です。"),
    **{f"neu.fn.{name}": text for name, text in FUNCTION_NAMES.items()},
    **{f"neu.col.{name}": text for name, text in COLUMNS.items()},
    "neu.hint": ("What to look at: the perceptron settles on AND but cycles for ever on XOR, and a sigmoid network "
                "with a hidden layer learns XOR.",
                "見どころ：パーセプトロンは AND では止まりますが XOR では永遠に繰り返し、中間層のあるシグモ"
                "イドネットワークは XOR を学習します。"),
}
