import { useState } from "react";
import { getToken, setToken } from "../api/client";

/** Asked when the API answers 401 (AIMEE_API_TOKENS is set): the token is kept in this browser. */
export function TokenDialog({ onDone }: { onDone: (changed: boolean) => void }) {
  const [value, setValue] = useState(getToken());
  return (
    <div className="modal" role="dialog" aria-label="APIトークン">
      <form className="card" onSubmit={(e) => { e.preventDefault(); setToken(value); onDone(true); }}>
        <h2>APIトークンを入力してください</h2>
        <p>このサーバーは認証が必要です。管理者から受け取ったトークンを入力すると、API と WebSocket に送信されます。</p>
        <input name="token" type="password" value={value} autoFocus placeholder="トークン"
               onChange={(e) => setValue(e.target.value)} />
        <div className="row">
          <button type="submit">保存して再読み込み</button>
          <button type="button" className="secondary" onClick={() => onDone(false)}>閉じる</button>
        </div>
      </form>
    </div>
  );
}
