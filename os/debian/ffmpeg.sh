#!/bin/sh
# The image's ffmpeg/ffprobe, built from Debian 12's own ffmpeg source with only what the app uses
# (app/media: probe, JPEG poster, 720p H.264/AAC transcode or remux; VAAPI / V4L2 M2M / libx264
# encoders found by a trial encode on lavfi's testsrc) and the decoders/demuxers of common camera and
# phone video. Debian's ffmpeg package and the ~210 libraries it links are ~94 MiB of the image; this is
# a few MiB. Built on the build host, which must be Debian 12 (amd64) like the image: it links the
# host's libx264, libva, libdrm and libdav1d, and the image gets the same packages (FFMPEG_RUNTIME).
# The result is cached in CACHE_DIR under a key of the source hash and configure flags, so only
# the first image build compiles it (a few minutes on 2 cores).
# Usage: ffmpeg.sh CACHE_DIR → prints the directory to copy into the root (usr/local/…)
set -eu
# Bookworm's current ffmpeg. The pool drops the tarball some time after Debian moves to a newer 5.1.x (a
# security update): then take the version and SHA-256 from bookworm's Sources (…/main/source/Sources.xz).
version=5.1.9
url=http://deb.debian.org/debian/pool/main/f/ffmpeg/ffmpeg_$version.orig.tar.xz
sha256=d9b593bb2ba93d4b50f74177e0cdcd41747e708596367deed0c30348a71dd176

# VAAPI drivers stay Debian's (intel-media-va-driver in the board's packages); what the binaries link:
FFMPEG_RUNTIME="libx264-164 libva2 libva-drm2 libdrm2 libdav1d6 zlib1g"

decoders="rawvideo h264 hevc mpeg4 h263 msmpeg4v3 mjpeg vp8 vp9 libdav1d prores mpeg1video mpeg2video dvvideo flv vc1 wmv3
  theora aac aac_latm mp3 mp2 ac3 eac3 opus vorbis flac alac amrnb amrwb wmav2
  adpcm_ima_wav adpcm_ms pcm_s16le pcm_s16be pcm_s24le pcm_s24be pcm_s32le pcm_f32le pcm_u8 pcm_alaw pcm_mulaw pcm_bluray pcm_dvd"
# The raw video demuxers: how MPEG-PS (.mpg, .vob) tells which codec its video stream carries.
demuxers="mov matroska avi mpegts mpegps flv asf ogg dv mjpeg wav mpegvideo m4v h264 hevc"
filters="buffer buffersink abuffer abuffersink format aformat aresample null anull scale fps setpts asetpts
  trim atrim transpose hflip vflip rotate hwupload hwdownload hwmap scale_vaapi testsrc sine"
list() { echo "$2" | tr -s ' \n' '\n\n' | sed "/^$/d; s/^/--enable-$1=/" | tr '\n' ' '; }
flags="--prefix=/usr/local --disable-everything --disable-autodetect --disable-static --enable-shared
  --enable-gpl --enable-pthreads --enable-zlib --enable-libx264 --enable-libdav1d
  --enable-vaapi --enable-libdrm --enable-v4l2-m2m
  --disable-network --disable-doc --disable-ffplay --disable-postproc --disable-debug
  --enable-protocol=file --enable-protocol=pipe --enable-indev=lavfi --enable-parsers --enable-bsfs
  $(list decoder "$decoders") $(list demuxer "$demuxers") $(list filter "$filters")
  $(list encoder "libx264 h264_vaapi h264_v4l2m2m aac mjpeg wrapped_avframe pcm_s16le")
  $(list muxer "mp4 mov image2 null")
  $(list hwaccel "h264_vaapi hevc_vaapi vp8_vaapi vp9_vaapi mpeg2_vaapi")"

if [ "${1:-}" = "--runtime" ]; then
  echo "$FFMPEG_RUNTIME"
  exit 0
fi
host="$(. /etc/os-release && echo "$ID $VERSION_ID") $(dpkg --print-architecture)"
if [ "$host" != "debian 12 amd64" ]; then
  echo "ffmpeg.sh: the build host must be Debian 12 amd64, as the image (its libraries are linked); this is $host" >&2
  exit 1
fi
cache=$(mkdir -p "$1" && cd "$1" && pwd)
key=$(echo "$sha256 $flags" | sha256sum | cut -c1-16)
dest="$cache/ffmpeg-$version-$key"
if [ -x "$dest/usr/local/bin/ffmpeg" ]; then
  echo "$dest"
  exit 0
fi
# Builds with other flags or sources are not used again.
find "$cache" -mindepth 1 -maxdepth 1 -name 'ffmpeg-*' -exec rm -rf {} +

tarball="$cache/ffmpeg_$version.orig.tar.xz"
if ! echo "$sha256  $tarball" | sha256sum -c --status 2>/dev/null; then
  curl -fsSL -o "$tarball.part" "$url"
  echo "$sha256  $tarball.part" | sha256sum -c --status || { echo "ffmpeg.sh: $url does not have the pinned SHA-256" >&2; exit 1; }
  mv "$tarball.part" "$tarball"
fi
work="$cache/ffmpeg-build"
rm -rf "$work" "$dest"
mkdir -p "$work"
tar -xJf "$tarball" -C "$work" --strip-components=1
started=$(date +%s)
# shellcheck disable=SC2086 # the flags are words
(cd "$work" && ./configure $flags >configure.log && make -j"$(nproc)" >make.log 2>&1 && make install DESTDIR="$dest.part" >/dev/null) || {
  tail -n 30 "$work/config.log" "$work/make.log" >&2 2>/dev/null
  exit 1
}
rm -rf "$dest.part/usr/local/include" "$dest.part/usr/local/lib/pkgconfig" "$dest.part/usr/local/share" "$dest.part"/usr/local/lib/*.so
strip --strip-unneeded "$dest.part"/usr/local/bin/* "$dest.part"/usr/local/lib/*.so.*.*
mv "$dest.part" "$dest"
rm -rf "$work"
echo "ffmpeg.sh: built ffmpeg $version in $(( $(date +%s) - started )) s" >&2
echo "$dest"
