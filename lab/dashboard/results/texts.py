"""Texts of the results page (English, 日本語), assembled by the shell (lab.dashboard.shell.STRINGS)."""

STRINGS: dict[str, tuple[str, str]] = {
    # ---- results page
    "res.title": ("Stored results", "保存済みの結果"),
    "res.intro": ("Every experiment run here is stored on the server, one entry per configuration with all its "
                  "seeds; any page that needs it again reads it instead of training.",
                  "ここで実行した実験はすべてサーバーに保存されます（設定ごとに 1 件、全シードを含む）。"
                  "同じ設定が再び必要になったときは、学習せずに読み込みます。"),
    "res.empty": ("Nothing is stored yet: run the lecture's experiment or compare optimizers first.",
                  "まだ何も保存されていません。先に講義の実験か最適化手法の比較を実行してください。"),
    "res.count": ("Entries", "件数"),
    "res.size": ("Size on disk", "ディスク使用量"),
    "res.pick": ("Entry", "結果"),
    "res.pick.placeholder": ("Choose an entry…", "結果を選んでください…"),
    "res.missing": ("No stored result has the key `{key}`; it may have been deleted.",
                    "キー `{key}` の結果は保存されていません（削除された可能性があります）。"),
    "res.download": ("Download its curves (CSV)", "曲線をダウンロード（CSV）"),
    "res.thinned": ("Its curves at every iteration would be {rows:,} rows, more than one file here holds: the file "
                    "holds iterations 0, {k}, {k2}, … ({kept:,} rows). `python -m lab store export KEY --curves --csv FILE` "
                    "writes them all.",
                    "全反復の曲線は {rows:,} 行になり、ここで作る 1 ファイルの上限を超えるため、反復 0, {k}, {k2}, … の値（{kept:,} "
                    "行）を入れています。すべての行は `python -m lab store export KEY --curves --csv FILE` で書き出せます。"),
    "res.delete": ("Delete…", "削除…"),
    "res.confirm": ("Delete the stored result `{name}` ({seeds} seeds)? It cannot be undone; it would be recomputed "
                    "when needed.",
                    "保存済みの結果 `{name}`（シード {seeds} 個）を削除しますか？元には戻せません（必要になれば再計算"
                    "されます）。"),
    "res.delete.off": ("Deleting is turned off on this server.", "このサーバーでは削除できない設定です。"),
    "res.confirm.yes": ("Yes, delete", "削除する"),
    "res.confirm.no": ("Cancel", "キャンセル"),
    "res.deleted": ("Deleted `{name}`.", "`{name}` を削除しました。"),
    "res.summary": ("Summary over its seeds", "シード全体のまとめ"),
    "res.config": ("Configuration", "設定"),
    "col.key": ("key", "キー"), "col.config": ("configuration", "設定"), "col.seeds": ("seeds", "シード"),
    "col.n_seeds": ("number of seeds", "シード数"), "col.size": ("size (KB)", "サイズ (KB)"),
    "col.modified": ("stored", "保存日時"), "col.status": ("status", "状態"),
    "res.hint": ("What to look at: what the store holds; pick an entry to see its summary, download it or delete it.",
                "見どころ：保存されている結果の一覧。項目を選ぶと要約の表示、ダウンロード、削除ができます。"),
}
