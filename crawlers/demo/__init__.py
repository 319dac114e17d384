"""The offline demo archive: saved pages imitating real sources, and the server for them."""
