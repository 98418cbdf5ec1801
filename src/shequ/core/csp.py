"""Content-Security-Policy sources derived from settings (kept apart so the settings module stays declarative)."""

from urllib.parse import urlsplit


def tile_image_sources(tile_url: str) -> list[str]:
    """Answer the img-src source for a Leaflet tile URL template, or nothing when no tile server is set.

    A template such as ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` becomes ``https://*.tile.example.org``:
    CSP allows a wildcard only as the leftmost host label, which is where Leaflet's ``{s}`` subdomain sits.
    """
    if not tile_url.strip():
        return []
    parts = urlsplit(tile_url.strip())
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = host.split(".")
    if labels and "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels):
        raise ValueError(f"SHEQU_TILE_URL: a placeholder is allowed only in the leftmost host label: {tile_url!r}")
    return [f"{parts.scheme}://{'.'.join(labels)}"]
