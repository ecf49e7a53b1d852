"""Live collaboration: the Yjs wire protocol, rooms, fan-out and the websocket endpoint."""
