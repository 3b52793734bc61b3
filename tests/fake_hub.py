"""A local stand-in for the Hugging Face Hub's HTTP API, enough for huggingface_hub downloads and
`datasets.load_dataset`: repo info, file trees, paths-info and file resolution, for models and data sets.
The real clients talk to it over HTTP on loopback; nothing is mocked inside them."""
from __future__ import annotations

import hashlib
import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMIT = "c" * 40
_REPO = r"([^/]+/[^/]+)"
_REV = r"(main|[0-9a-f]{40})"


class FakeHub:
    """Serves `repos` ({(repo_type, repo_id): {filename: bytes}}); `error` answers every call with
    (status, X-Error-Code, X-Error-Message); `broken_file` is cut off halfway. `authorizations` holds each
    request's Authorization header (None when absent)."""

    def __init__(self, repos, error=None, broken_file=None):
        self.repos, self.error, self.broken_file = repos, error, broken_file
        self.requests: list[str] = []
        self.authorizations: list[str | None] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def entries(self, files: dict[str, bytes], under: str = "", recursive: bool = True) -> list[dict]:
        """Tree entries (files, and the folders on the way) below `under`."""
        prefix = f"{under.strip('/')}/" if under.strip("/") else ""
        out, folders = [], set()
        for name, body in sorted(files.items()):
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix):]
            if "/" in rest and not recursive:
                folders.add(prefix + rest.split("/", 1)[0])
                continue
            out.append({"type": "file", "path": name, "size": len(body), "oid": hashlib.sha1(body).hexdigest()})
            parts = rest.split("/")[:-1]
            folders.update(prefix + "/".join(parts[: i + 1]) for i in range(len(parts)))
        return [{"type": "directory", "path": f, "oid": "0" * 40} for f in sorted(folders)] + out

    def _handler(hub):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", headers=None, cut=False):
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body[: len(body) // 2] if cut else body)
                if cut:
                    self.close_connection = True

            def json(self, body):
                self.reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

            def failed(self) -> bool:
                if hub.error:
                    status, code, message = hub.error
                    headers = {"X-Error-Message": message, **({"X-Error-Code": code} if code else {})}
                    self.reply(status, json.dumps({"error": message}).encode(), headers)
                return bool(hub.error)

            def repo(self, kind: str, repo_id: str):
                files = hub.repos.get((kind[:-1] if kind.endswith("s") else kind, repo_id))
                if files is None:
                    self.reply(404, b"{}", {"X-Error-Code": "RepoNotFound"})
                return files

            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                hub.requests.append(f"{self.command} {self.path}")
                hub.authorizations.append(self.headers.get("Authorization"))
                if self.failed():
                    return
                url = urllib.parse.urlsplit(self.path)
                path, query = urllib.parse.unquote(url.path), urllib.parse.parse_qs(url.query)
                info = re.fullmatch(rf"/api/(models|datasets)/{_REPO}(?:/revision/{_REV})?", path)
                if info:
                    files = self.repo(info[1], info[2])
                    if files is not None:
                        self.json({"id": info[2], "sha": COMMIT, "private": False,
                                   "siblings": [{"rfilename": n, "size": len(b)} for n, b in files.items()]})
                    return
                tree = re.fullmatch(rf"/api/(models|datasets)/{_REPO}/tree/{_REV}(/.*)?", path)
                if tree:
                    files = self.repo(tree[1], tree[2])
                    if files is not None:
                        recursive = query.get("recursive", ["false"])[0].lower() in ("1", "true")
                        self.json(hub.entries(files, tree[4] or "", recursive))
                    return
                resolve = re.fullmatch(rf"/(datasets/)?{_REPO}/resolve/{_REV}/(.+)", path)
                if not resolve:
                    return self.reply(404, b"", {"X-Error-Code": "EntryNotFound"})
                files = hub.repos.get(("dataset" if resolve[1] else "model", resolve[2]))
                if not files or resolve[4] not in files:
                    return self.reply(404, b"", {"X-Error-Code": "EntryNotFound"})
                body = files[resolve[4]]
                headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{hashlib.sha1(body).hexdigest()}"'}
                self.reply(200, body, headers, cut=resolve[4] == hub.broken_file)

            def do_POST(self):
                hub.requests.append(f"{self.command} {self.path}")
                hub.authorizations.append(self.headers.get("Authorization"))
                if self.failed():
                    return
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                info = re.fullmatch(rf"/api/(models|datasets)/{_REPO}/paths-info/{_REV}",
                                    urllib.parse.unquote(urllib.parse.urlsplit(self.path).path))
                if not info:
                    return self.reply(404, b"{}")
                files = self.repo(info[1], info[2])
                if files is not None:
                    wanted = set(form.get("paths", []))
                    self.json([e for e in hub.entries(files) if e["path"] in wanted])

        return Handler

    def close(self):
        self.server.shutdown()
        self.server.server_close()
