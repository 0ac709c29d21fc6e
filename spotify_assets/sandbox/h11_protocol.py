"""uvicorn's h11 protocol, sending each response to the socket in one write instead of two.

uvicorn writes a response's status line and headers, then its body, as separate socket writes;
over loopback each write wakes the client, and the first alone cost about a sixth of the sandbox's
CPU per request. Writes made during one turn of the event loop (a response's) are sent together.
"""

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol


class _OneWritePerTurn:
    """A transport that holds what is written until the end of the loop's turn, then sends it."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending and not self._transport.is_closing():
            self._transport.writelines(pending)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class OneWriteH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_OneWritePerTurn(transport))  # type: ignore[arg-type]
