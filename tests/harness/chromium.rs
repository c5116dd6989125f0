//! A real headless Chromium (Debian's `chromium`, /usr/bin/chromium),
//! driven over the Chrome DevTools protocol: a page is laid out at a
//! given viewport width (as a phone when narrow: the page's viewport tag
//! then decides its layout width) and JavaScript run in it returns what a
//! reader would see. The protocol speaks JSON over a WebSocket; the small
//! client here uses only the standard library. Chromium is stopped when
//! the guard drops. A missing Chromium fails the test naming the package.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Chromium.
const CHROMIUM: &str = "/usr/bin/chromium";

/// A running headless Chromium with one page.
pub struct Chromium {
    child: Child,
    page: WebSocket,
    next_id: u64,
    dir: PathBuf,
    /// Console and log errors seen since [`Chromium::watch_console`].
    errors: Vec<String>,
}

impl Chromium {
    /// Starts Chromium with a fresh profile under `dir`.
    pub fn start(dir: &Path) -> Chromium {
        assert!(
            Path::new(CHROMIUM).exists(),
            "{CHROMIUM} is missing: install the Debian package chromium (scripts/test does this when run as root)"
        );
        let profile = dir.join("chromium-profile");
        std::fs::create_dir_all(&profile).expect("mkdir chromium profile");
        let log = std::fs::File::create(dir.join("chromium.log")).expect("chromium log");
        let child = Command::new(CHROMIUM)
            .args([
                "--headless=new",
                // Tests run as root in containers, where the sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
        let mut guard = Chromium {
            child,
            page: WebSocket::placeholder(),
            next_id: 0,
            dir: dir.to_path_buf(),
            errors: Vec::new(),
        };
        // With port 0 Chromium picks a free port and writes it, with the
        // browser's WebSocket path, into DevToolsActivePort.
        let active = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        let port: u16 = loop {
            if let Ok(text) = std::fs::read_to_string(&active)
                && let Some(port) = text.lines().next().and_then(|l| l.trim().parse().ok())
            {
                break port;
            }
            if let Ok(Some(status)) = guard.child.try_wait() {
                panic!(
                    "chromium exited ({status}) before listening: {}",
                    guard.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "chromium did not open its DevTools port within 30 s: {}",
                guard.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let path = loop {
            let targets = http_get(port, "/json/list");
            let list: serde_json::Value =
                serde_json::from_str(&targets).unwrap_or(serde_json::Value::Null);
            let page = list.as_array().and_then(|l| {
                l.iter()
                    .find(|t| t["type"] == "page")
                    .and_then(|t| t["webSocketDebuggerUrl"].as_str())
                    .map(str::to_string)
            });
            if let Some(url) = page {
                let path = url
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
                    .expect("a ws:// URL with a path");
                break path;
            }
            assert!(
                Instant::now() < deadline,
                "chromium has no page target: {targets}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        guard.page = WebSocket::connect(port, &path);
        guard
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("chromium.log")).unwrap_or_default()
    }

    /// Sends one DevTools command and returns its result (events that
    /// arrive meanwhile are skipped).
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = serde_json::json!({ "id": id, "method": method, "params": params });
        self.page.send(&msg.to_string());
        loop {
            let text = self.page.receive();
            let v: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("DevTools sent no JSON ({e}): {text}"));
            match v["method"].as_str() {
                Some("Log.entryAdded") if v["params"]["entry"]["level"] == "error" => {
                    self.errors.push(v["params"]["entry"].to_string());
                }
                Some("Runtime.consoleAPICalled") if v["params"]["type"] == "error" => {
                    self.errors.push(v["params"].to_string());
                }
                Some("Runtime.exceptionThrown") => self.errors.push(v["params"].to_string()),
                _ => {}
            }
            if v["id"] == id {
                if let Some(err) = v.get("error") {
                    panic!("DevTools {method} failed: {err}");
                }
                return v["result"].clone();
            }
        }
    }

    /// Records console errors, failed loads and uncaught exceptions from
    /// now on, for [`Chromium::console_errors`].
    pub fn watch_console(&mut self) {
        self.call("Log.enable", serde_json::json!({}));
        self.call("Runtime.enable", serde_json::json!({}));
    }

    /// The errors recorded so far (and forgets them).
    pub fn console_errors(&mut self) -> Vec<String> {
        // A round trip, so events sent before it have been read.
        self.eval("1");
        std::mem::take(&mut self.errors)
    }

    /// Lays `file` out at `width` CSS pixels (a phone, with touch and the
    /// viewport tag honoured, below 600) and returns the value of the
    /// JavaScript `expression` evaluated in it once loaded.
    pub fn evaluate_at(&mut self, file: &Path, width: u32, expression: &str) -> serde_json::Value {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({
                "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600
            }),
        );
        let url = format!("file://{}", file.display());
        self.call("Page.navigate", serde_json::json!({ "url": url }));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self.eval(&format!(
                "document.readyState + ' ' + location.href === 'complete ' + {}",
                serde_json::Value::String(url.clone())
            ));
            if state == serde_json::Value::Bool(true) {
                break;
            }
            assert!(Instant::now() < deadline, "{url} did not load in 20 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.eval(expression)
    }

    fn eval(&mut self, expression: &str) -> serde_json::Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({ "expression": expression, "returnByValue": true }),
        );
        if let Some(ex) = r.get("exceptionDetails") {
            panic!("the page's JavaScript failed: {ex}");
        }
        r["result"]["value"].clone()
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 GET on loopback (DevTools answers no HTTP/1.0); the body,
/// read to its Content-Length ("" on any failure, to retry).
fn http_get(port: u16, path: &str) -> String {
    let Ok(s) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(s);
    if write!(
        reader.get_mut(),
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .is_err()
    {
        return String::new();
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return String::new(),
            Ok(_) => {}
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return String::new();
    }
    String::from_utf8(body).unwrap_or_default()
}

/// A client WebSocket (RFC 6455): text frames out, masked as clients must;
/// frames in, reassembled.
struct WebSocket {
    stream: Option<BufReader<TcpStream>>,
}

impl WebSocket {
    fn placeholder() -> WebSocket {
        WebSocket { stream: None }
    }

    fn connect(port: u16, path: &str) -> WebSocket {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to DevTools");
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        let mut reader = BufReader::new(s);
        write!(
            reader.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: c2VjZGVzay10ZXN0LWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .expect("send the WebSocket handshake");
        let mut status = String::new();
        reader.read_line(&mut status).expect("handshake answer");
        assert!(
            status.contains(" 101 "),
            "DevTools refused the WebSocket: {status}"
        );
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("handshake headers");
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        WebSocket {
            stream: Some(reader),
        }
    }

    fn stream(&mut self) -> &mut BufReader<TcpStream> {
        self.stream.as_mut().expect("connected")
    }

    fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x5e, 0xc0, 0xde, 0x5a];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream()
            .get_mut()
            .write_all(&frame)
            .expect("send to DevTools");
    }

    fn receive(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.stream()
                .read_exact(&mut head)
                .expect("a frame from DevTools");
            let fin = head[0] & 0x80 != 0;
            let opcode = head[0] & 0x0f;
            let len = match head[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.stream().read_exact(&mut b).expect("frame length");
                    u16::from_be_bytes(b) as usize
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.stream().read_exact(&mut b).expect("frame length");
                    u64::from_be_bytes(b) as usize
                }
                n => n as usize,
            };
            let mut payload = vec![0u8; len];
            self.stream()
                .read_exact(&mut payload)
                .expect("frame payload");
            assert!(opcode != 8, "DevTools closed the WebSocket");
            if opcode == 9 || opcode == 10 {
                continue; // ping/pong: Chromium sends none unasked
            }
            message.extend_from_slice(&payload);
            if fin {
                return String::from_utf8(message).expect("DevTools sends UTF-8");
            }
        }
    }
}
