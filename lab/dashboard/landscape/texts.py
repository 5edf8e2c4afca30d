"""Texts of the loss landscape page (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS)."""

STRINGS: dict[str, tuple[str, str]] = {
    "land.title": ("Loss landscape: the optimizers' paths on one surface", "損失の地形：同じ面の上の最適化手法の経路"),
    "land.intro": ("Every optimizer starts from the same initial weights (one seed). The picture is the truth-table loss "
                   "on the plane through those weights spanned by the two directions in which the paths move most "
                   "(Li et al., 2018), with each path drawn on it; beside it, the loss on the straight line from the "
                   "initial to each final weights (Goodfellow, Vinyals & Saxe, 2015).",
                   "すべての最適化手法が同じ初期重み（同じシード）から出発します。図は、その初期重みを通り、経路が最も"
                   "大きく動く 2 方向で張られた平面上の真理値表での損失で（Li ほか, 2018）、各経路をその上に描いています。"
                   "右は、初期重みから各最終重みへの直線上の損失です（Goodfellow, Vinyals & Saxe, 2015）。"),
    "land.hint": ("What to look at: where each path leaves the start (the black dot), which valley it ends in, and "
                  "whether the straight line to its end climbs a wall.",
                  "見どころ：各経路が出発点（黒い点）からどちらへ進み、どの谷に行き着くか、そして終点への直線が壁を越えるか。"),
    "land.f.opts": ("Optimizers (each at its default learning rate)", "最適化手法（それぞれ既定の学習率）"),
    "land.f.seed": ("Seed (the shared initial weights)", "シード（共通の初期重み）"),
    "land.f.normalize": ("Filter-normalised directions", "フィルタ正規化した方向"),
    "land.f.normalize.help": ("Rescale each unit's part of the two directions to the size of that unit's weights "
                              "(Li et al., 2018): sharpness then compares across nets, and the plane changes.",
                              "2 方向の各ユニットの成分を、そのユニットの重みの大きさにそろえます（Li ほか, 2018）。"
                              "鋭さを異なるネットワークの間で比べられるようになり、平面も変わります。"),
    "land.f.depth.help": ("At most 3 hidden layers on this page.", "このページでは中間層は 3 層まで。"),
    "land.run": ("Draw", "描画"),
    "land.surface": ("The loss on the plane of the paths", "経路の平面上の損失"),
    "land.surface.caption": ("Colour: the truth-table loss at each point of the plane (darker = lower, log scale). "
                             "Lines: each optimizer's path projected onto the plane, from the black dot (the shared "
                             "initial weights) to its diamond (its final weights). The plane holds {captured:.0%} of the "
                             "paths' squared distance from the start (directions: {d1:.0%} and {d2:.0%}).",
                             "色：平面上の各点での真理値表の損失（濃いほど小さい、対数目盛）。線：各最適化手法の経路を"
                             "平面に射影したもので、黒い点（共通の初期重み）からひし形（最終重み）まで。平面は経路の"
                             "出発点からの距離の二乗和の {captured:.0%} を含みます（方向ごとに {d1:.0%} と {d2:.0%}）。"),
    "land.line": ("The straight line from the start to each end", "出発点から各終点への直線"),
    "land.line.caption": ("The loss at (1 − α)·θ₀ + α·θ₁: α = 0 is the initial weights, α = 1 the optimizer's final "
                          "weights. A bump between them is a wall the straight way would cross; the optimizer went "
                          "around it or over it.",
                          "(1 − α)·θ₀ + α·θ₁ での損失：α = 0 が初期重み、α = 1 が最適化手法の最終重みです。間の山は"
                          "直線で進むと越える壁で、最適化手法はそれを回り込むか越えています。"),
    "land.alpha": ("α (0: start, 1: end)", "α（0：出発点、1：終点）"),
    "land.x": ("direction 1", "方向 1"),
    "land.y": ("direction 2", "方向 2"),
    "land.start": ("start", "出発点"),
    "land.end": ("end", "終点"),
    "land.caveats.title": ("What a 2-D slice can and cannot show", "2 次元の断面でわかること・わからないこと"),
    "land.caveats": (  # lab.science.landscape.SLICE_CAVEATS (not imported: the texts load no torch)
        "A 2-D slice shows the loss along two chosen directions through one point of a space of many dimensions. It "
        "can show the shape of the loss in that plane: valleys, plateaus, walls, and how the optimizers' paths run "
        "across them. It cannot show that a point is a minimum or a saddle point in the full space: a point that looks "
        "like a minimum in the slice may descend along a direction outside it; only the Hessian in all directions "
        "decides. The paths are projected onto the plane: points off the plane are drawn where their shadow falls, "
        "distances shrink, and the loss under a drawn point is the loss at its shadow, not at the point itself. The "
        "share of the paths that the plane holds says how faithful the picture is. Filter normalisation rescales the "
        "directions to the size of each unit's weights, so that the sharpness of different nets can be compared.",
                     "2 次元の断面は、多次元の空間の 1 点を通る 2 方向に沿った損失を示します。その平面内の損失の形（谷、"
                     "平坦な領域、壁）と、最適化手法の経路がそれをどう横切るかはわかります。しかし、ある点が空間全体で"
                     "極小点か鞍点かはわかりません：断面で極小に見える点も、断面の外の方向には下っているかもしれず、"
                     "決めるのはすべての方向のヘッセ行列だけです。経路は平面に射影されています：平面から離れた点は"
                     "その影の位置に描かれ、距離は縮み、描かれた点の下の損失は点そのものではなく影の位置での損失です。"
                     "平面が経路をどれだけ含むかが、図の忠実さを示します。フィルタ正規化は方向を各ユニットの重みの"
                     "大きさにそろえ、異なるネットワークの鋭さを比べられるようにします。"),
    "land.table": ("Where each path ends", "各経路の行き着く先"),
    "col.final_table_loss": ("loss at the end", "終点での損失"),
    "col.off_plane": ("end's distance from the plane", "終点の平面からの距離"),
    "col.barrier": ("wall on the straight line (above the higher end)", "直線上の壁（高い方の端からの高さ）"),
    "land.stall": ("stall", "停滞"),
    "land.stalls": ("Stalls on the paths (crosses; filled when within 5% of the picture's size from the plane)",
                    "経路上の停滞（×印。平面からの距離が図の大きさの 5% 以内なら塗りつぶし）"),
    "land.stall.line": ("{name}: stalled around iteration {step}; the Hessian test there: {kind} ({off:.0%} of the "
                        "picture's size off the plane).",
                        "{name}：反復 {step} 付近で停滞。そこでのヘッセ行列の判定：{kind}（平面からの距離は図の大きさの"
                        " {off:.0%}）。"),
    "land.no_stalls": ("No path stalled on the plateau: there is no saddle point to mark.",
                       "どの経路も停滞しなかったので、印を付ける鞍点はありません。"),
    "land.kind.saddle": ("a saddle point", "鞍点"),
    "land.kind.minimum": ("a minimum", "極小点"),
    "land.kind.maximum": ("a maximum", "極大点"),
    "land.kind.degenerate": ("degenerate (flat directions)", "退化（平坦な方向あり）"),
    "land.kind.not stationary": ("not a stationary point (the gradient is not small)", "停留点ではない（勾配が小さくない）"),
}
