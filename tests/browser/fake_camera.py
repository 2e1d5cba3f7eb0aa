"""A QR code as a video file, for Chromium's fake camera (--use-file-for-fake-video-capture).

Chromium plays a Y4M file in a loop as the camera's picture; one frame is enough.
"""

import io
from pathlib import Path

import segno
from PIL import Image

WIDTH, HEIGHT = 640, 480


def qr_video(payload: str, path: Path) -> Path:
    """Write a Y4M video whose every frame shows payload's QR code, black on white, in the middle."""
    png = io.BytesIO()
    segno.make_qr(payload, error="m").save(png, kind="png", scale=10, border=4)
    picture = Image.open(png).convert("L")
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(picture, ((WIDTH - picture.width) // 2, (HEIGHT - picture.height) // 2))
    y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.write(b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes())
    return path
