"""Strings of the remote backend's safety limits that are newer than hflab/i18n/remote.py (issue 38)."""

STRINGS = {
    "remote.error.stopped": {
        "zh": "已停止：请求在服务器回答之前被取消，连接已关闭。",
        "en": "Stopped: the request was cancelled before the server answered, and the connection was closed.",
    },
    "remote.stop": {"zh": "停止", "en": "Stop"},
    "remote.waiting_answer": {
        "zh": "正在等服务器回答：已等 {seconds} 秒。不想等了就点“停止”，连接会立即关闭。",
        "en": "Waiting for the server's answer: {seconds} s so far. Click Stop to end the request; the connection is "
              "closed at once.",
    },
}
