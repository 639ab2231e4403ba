"""The kernel under hostile and heavy traffic: malformed frames and forged or
ill-typed messages on the shell socket, a burst of 1,000 requests, and a
50 MB output. In every case the kernel answers what it should, in order, and
keeps its session. (A kernel whose parent dies is in test_kernel.py.)
"""
import json

import kernel_cells
import zmq
from jupyter_client.session import Session


class HostileTrafficTests(kernel_cells.OneKernel):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        info = cls.km.get_connection_info(session=False)
        cls.context = zmq.Context()
        cls.raw = cls.context.socket(zmq.DEALER)
        cls.raw.linger = 0
        cls.raw.connect(f"{info['transport']}://{info['ip']}:{info['shell_port']}")
        cls.session = Session(key=info["key"], signature_scheme=info["signature_scheme"])

    @classmethod
    def tearDownClass(cls):
        cls.raw.close()
        cls.context.term()
        super().tearDownClass()

    def signed(self, header, parent, metadata, content):
        """The frames of a correctly signed message whose parts are these bytes."""
        parts = [header, parent, metadata, content]
        return [b"<IDS|MSG>", self.session.sign(parts)] + parts

    def replies_on_raw_socket(self, wait_ms=1500):
        replies = []
        while self.raw.poll(wait_ms):
            replies.append(self.raw.recv_multipart())
            wait_ms = 200
        return replies

    def test_malformed_frames_get_no_reply_and_the_kernel_lives_on(self):
        self.run_cell("kept = 7")
        header = self.session.pack(self.session.msg_header("execute_request"))
        good = json.dumps({"code": "kept = 8", "silent": False}).encode()
        for frames in [
            [b"garbage"],
            [b"<IDS|MSG>"],
            [b"<IDS|MSG>", b"", b"{}", b"{}", b"{}", b"{}"],  # unsigned
            [b"<IDS|MSG>", b"00" * 32, header, b"{}", b"{}", good],  # a wrong signature
            [b"id", b"<IDS|MSG>", b"sig", b"{"],  # too few parts
            self.signed(b"{not json", b"{}", b"{}", good),
            self.signed(b"\xff\xfe\xfd", b"{}", b"{}", good),
            self.signed(b"[]", b"{}", b"{}", good),
            self.signed(b"{" + b'"a":' * 100_000 + b"1}", b"{}", b"{}", good),
            self.signed(b"[" * 100_000 + b"]" * 100_000, b"{}", b"{}", good),
        ]:
            with self.subTest(frames=[f[:40] for f in frames]):
                self.raw.send_multipart(frames)
                self.assertEqual(self.replies_on_raw_socket(), [])
        self.assertEqual(self.value("kept"), "7", "no malformed message ran")

    def test_ill_typed_content_gets_a_reply(self):
        for msg_type, content in [
            ("execute_request", {"code": 5, "silent": "no"}),
            ("execute_request", {}),
            ("complete_request", {"code": "kr", "cursor_pos": 10**12}),
            ("complete_request", {"code": "kr", "cursor_pos": -3}),
            ("inspect_request", {"code": ["kron"], "cursor_pos": 2}),
            ("is_complete_request", {"code": None}),
            ("history_request", {"hist_access_type": "search", "pattern": "*a" * 200 + "b", "n": -1}),
        ]:
            with self.subTest(msg_type=msg_type, content=content):
                header = self.session.msg_header(msg_type)
                frames = self.signed(self.session.pack(header), b"{}", b"{}", json.dumps(content).encode())
                self.raw.send_multipart([b"fuzzer"] + frames)
                replies = self.replies_on_raw_socket(wait_ms=10_000)
                self.assertEqual(len(replies), 1, replies)
                reply = replies[0]
                i = reply.index(b"<IDS|MSG>")
                self.assertEqual(json.loads(reply[i + 3])["msg_id"], header["msg_id"])
                statuses = ("complete", "incomplete", "invalid", "unknown") if msg_type == "is_complete_request" else ("ok", "error")
                self.assertIn(json.loads(reply[i + 5])["status"], statuses)
        self.assertEqual(self.value("1 + 1"), "2")

    def test_a_burst_of_1000_requests_is_answered_in_order(self):
        sent = [self.kc.execute(f"burst = {i}", silent=False, store_history=False) for i in range(1000)]
        received = []
        while len(received) < len(sent):
            reply = self.kc.get_shell_msg(timeout=60)
            self.assertEqual(reply["content"]["status"], "ok", reply["content"])
            received.append(reply["parent_header"]["msg_id"])
        self.assertEqual(received, sent)
        self.assertEqual(self.value("burst"), "999")

    def test_a_50_mb_output_arrives_whole(self):
        # 2²⁰ characters by doubling, printed 50 times: 50 stream messages of 1 MiB.
        content, outputs = self.run_cell('s = "x"; for i in 0:20 { s = s + s }; for k in 0:50 { print(s) }', timeout=300)
        self.assertEqual(content["status"], "ok", content)
        streamed = [o["content"]["text"] for o in outputs if o["msg_type"] == "stream"]
        self.assertEqual(sum(len(t) for t in streamed), 50 * (2**20 + 1))
        self.assertEqual(set("".join(streamed)), {"x", "\n"})
        self.assertEqual(self.value("len(s)"), str(2**20))
