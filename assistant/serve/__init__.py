"""`assistant serve`: the user's voice for other apps on this computer, over the OpenAI API.

protocol  the wire format (requests in, replies and stream chunks out)
worker    the one model thread and the bounded queue in front of it
access    the bearer token in the keyring and the loopback Host check
server    the Starlette app on uvicorn, bound to 127.0.0.1
"""
