"""The pipeline's side of the OpenAI Batch API: the request a live call sends, and an
answer that came back in a batch settled as a live answer is (re-asked live if need be).

`summarizer._batch._openai_batch` drives the Batch API through a `BatchModel` it is
given (the batch layer never reaches the embedded engine, so it does not import this).
"""

from __future__ import annotations

from typing import Any, Final

from summarizer._config import Settings
from summarizer._errors import ConfigurationError
from summarizer._pipeline._backend import Connection, connect
from summarizer._pipeline._http import call_limit
from summarizer._pipeline._request import read_reply
from summarizer._pipeline._retry import Gate, MalformedResponseError
from summarizer._pipeline._run import Call, adrive
from summarizer._result import Result

ENDPOINT: Final = "/v1/chat/completions"
# Uploading or downloading a batch file is one request that may take minutes.
TRANSFER_S = 600.0


class BatchModel:
    """One endpoint's Files and Batches routes, and the pipeline's checks for its answers."""

    def __init__(self, settings: Settings, *, connection: Connection | None = None) -> None:
        if connection is None and settings.backend != "openai":
            raise ConfigurationError(
                "the OpenAI Batch API needs the openai backend: give --base-url (or set "
                "OPENAI_BASE_URL) and a key; the embedded model has no batch endpoint"
            )
        self.settings = settings
        self.model = settings.model
        self._conn = connection or connect(settings)
        self.base_url = self._conn.base_url
        self._gate = Gate()  # the live re-asks share one 429 pause

    def request_body(self, text: str) -> dict[str, Any]:
        """What a live call of `text` sends first (InputError for text it would refuse)."""
        return Call(text, self.settings, progress=None).body()

    def upload(self, name: str, data: bytes) -> str:
        with call_limit(lambda: TRANSFER_S):
            return self._conn.client.files.create(file=(name, data), purpose="batch").id

    def create(self, input_file_id: str) -> Any:
        with call_limit(lambda: self.settings.timeout):
            return self._conn.client.batches.create(
                input_file_id=input_file_id,
                endpoint=ENDPOINT,
                completion_window="24h",
                metadata={"created_by": "summarizer"},
            )

    def retrieve(self, batch_id: str) -> Any:
        with call_limit(lambda: self.settings.timeout):
            return self._conn.client.batches.retrieve(batch_id)

    def download(self, file_id: str) -> bytes:
        with call_limit(lambda: TRANSFER_S):
            return self._conn.client.files.content(file_id).content

    async def settle(self, text: str, body: dict[str, Any] | None) -> Result:
        """The brief of `text` from the batch's completion `body` if it passes the live
        checks (repairs included); else asked live, the batch's request counted in
        `meta.requests`: as the first answer when it was one (a re-ask follows), as a
        transport retry when the batch request failed (`body` None)."""
        conn, call = self._conn, Call(text, self.settings, progress=None)
        call.start()
        call.counted()
        if body is None:
            return await adrive(call, conn, self._gate)
        try:
            answer = call.read(read_reply(body))
        except MalformedResponseError:
            return await adrive(call, conn, self._gate)
        result = call.settle(1, answer, conn.backend, conn.base_url)
        if result is not None:
            return result
        return await adrive(call, conn, self._gate, answered=1)

    def close(self) -> None:
        self._conn.close()

    async def aclose(self) -> None:
        await self._conn.aclose()
