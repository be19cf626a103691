#!/usr/bin/env bash
# Make the built-in calming library in assets/media/ from nothing but sox and ffmpeg
# (Debian packages). Re-running gives the same sounds and pictures: sox runs with -R
# (repeatable noise) and ffmpeg with bitexact flags.
#
# Seamless loops: every sound is synthesised for one period L, repeated once, filtered
# and reverberated, and the second copy kept. All tone and swell frequencies are whole
# multiples of 1/L, so the kept copy ends exactly where it begins (filter and reverb
# tails wrap round too). Video pictures are functions of sin/cos(2*pi*t/L), so frame L
# is frame 0. A lossy codec cannot restart mid-waveform without a tick, so each sound
# gets a 15 ms half-sine fade at both ends: a soft dip at the loop point instead of a click.
#
# Usage: scripts/make_media.sh [OUT_DIR]   (default: assets/media)
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${1:-assets/media}
for tool in sox ffmpeg ffprobe; do
  command -v "$tool" >/dev/null || { echo "make_media: needs $tool (scripts/system-deps.sh --extra)" >&2; exit 1; }
done
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

RATE=48000
LA=200        # audio period, seconds (3 min 20 s); frequencies are multiples of 0.005 Hz
LV=80         # video period, seconds; frequencies are multiples of 0.0125 Hz
VW=640; VH=360; FPS=12
FF=(ffmpeg -hide_banner -loglevel error -y)
BITEXACT=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1)

# loop_audio NAME LEN CHANNELS "SYNTH ARGS" "REMIX ARGS" "EFFECTS"
# Synthesise one period on CHANNELS voices, mix to stereo, repeat, filter, keep period 2.
loop_audio() {
  local name=$1 len=$2 channels=$3 synth=$4 remix=$5 effects=$6
  # shellcheck disable=SC2086
  sox -R -r "$RATE" -c "$channels" -n -c 2 "$WORK/$name.wav" \
    synth "$len" $synth remix $remix repeat 1 $effects trim "$len" "$len" gain -n -3 fade h 0.015 "$len" 0.015
}

encode_opus() {  # WAV -> Ogg Opus, ~40 kbit/s stereo
  "${FF[@]}" -i "$WORK/$1.wav" -c:a libopus -b:a 40k -vbr on -application audio \
    "${BITEXACT[@]}" "$OUT/$1.opus"
}

# --- Music: slow pads (whole-hertz tones are periodic in 200 s) -----------------------
# D major add9: D2 A2 D3 F#3 A3 E4, each voice swelling on its own slow wave.
loop_audio evening-pad "$LA" 7 \
  "sine 73 sine 110 sine 110.1 sine 147 sine 185 sine 220 sine 330 \
   synth sine amod 0.015 40 0 sine amod 0.02 30 25 sine amod 0.025 30 60 \
   sine amod 0.02 40 40 sine amod 0.035 20 10 sine amod 0.025 30 80 sine amod 0.03 10 50" \
  "1v0.30,2v0.25,3v0.10,4v0.20,5v0.14,6v0.08,7v0.04 1v0.30,2v0.10,3v0.25,4v0.16,5v0.18,6v0.10,7v0.05" \
  "lowpass 1800 reverb 70 50 100 100 20"
encode_opus evening-pad

# A minor 9, softer and lower: A2 E3 G3 B3 C4 with a faint high shimmer.
loop_audio slow-drift "$LA" 7 \
  "triangle 110 sine 165 sine 196 sine 247 sine 262 sine 440 sine 659 \
   synth sine amod 0.01 50 0 sine amod 0.02 20 30 sine amod 0.015 20 70 \
   sine amod 0.025 10 20 sine amod 0.03 10 90 sine amod 0.035 0 40 sine amod 0.04 0 65" \
  "1v0.28,2v0.18,3v0.08,4v0.12,5v0.06,6v0.03,7v0.015 1v0.24,2v0.10,3v0.18,4v0.06,5v0.12,6v0.015,7v0.03" \
  "lowpass 1400 reverb 80 60 100 100 30"
encode_opus slow-drift

# --- Soundscapes: filtered noise with slow swells --------------------------------------
# Ocean: brown and pink noise, waves every 10 s (left and right a little apart).
loop_audio ocean-swell "$LA" 4 \
  "brownnoise pinknoise brownnoise pinknoise \
   synth sine amod 0.1 15 0 sine amod 0.1 10 0 sine amod 0.1 15 12 sine amod 0.1 10 12" \
  "1v0.55,2v0.25,3v0.10 3v0.55,4v0.25,1v0.10" \
  "highpass 40 lowpass 900 reverb 40 50 100"
encode_opus ocean-swell

# Soft rain: pink noise, high-passed, with a slow change of density and a low hush.
loop_audio soft-rain "$LA" 3 \
  "pinknoise pinknoise brownnoise \
   synth sine amod 0.035 75 0 sine amod 0.035 75 50 sine amod 0.02 60 0" \
  "1v0.35,3v0.20 2v0.35,3v0.20" \
  "highpass 250 lowpass 5000 treble -6 reverb 30 50 80"
encode_opus soft-rain

# --- Video soundtracks (period LV) -----------------------------------------------------
loop_audio evening-sky-sound "$LV" 4 \
  "sine 98 sine 147 sine 196 pinknoise \
   synth sine amod 0.025 40 0 sine amod 0.0375 30 30 sine amod 0.05 20 60 sine amod 0.0125 70 0" \
  "1v0.30,2v0.14,3v0.08,4v0.04 1v0.30,2v0.08,3v0.14,4v0.04" \
  "lowpass 1500 reverb 70 50 100 100 20"
loop_audio moonlit-water-sound "$LV" 2 \
  "brownnoise brownnoise synth sine amod 0.125 20 0 sine amod 0.125 20 10" \
  "1v0.6,2v0.1 2v0.6,1v0.1" \
  "highpass 40 lowpass 700 reverb 40 50 100"

# --- Videos ---------------------------------------------------------------------------
# geq pictures: P = 2*pi*T/LV, so every term repeats after LV seconds.
# Evening sky: a dark blue-to-dusk gradient, its horizon glow breathing slowly, soft bands.
SKY_Y="(1-Y/H)"
SKY_P="(2*PI*T/$LV)"
SKY_BAND="(0.5+0.5*sin(2*PI*Y/H*1.5+X/W*2+2*$SKY_P))"
SKY_GLOW="exp(-pow((Y/H-0.78-0.05*sin($SKY_P))/0.22,2))*(0.8+0.2*cos(2*$SKY_P))"
make_video() {  # NAME R G B SOUND
  "${FF[@]}" -f lavfi -i "nullsrc=s=${VW}x${VH}:r=${FPS}:d=${LV},format=gbrp" \
    -i "$WORK/$5.wav" \
    -vf "geq=r='$2':g='$3':b='$4',format=yuv420p" \
    -c:v libvpx-vp9 -b:v 140k -crf 38 -row-mt 1 -deadline good -cpu-used 4 -g 120 \
    -c:a libopus -b:a 40k -shortest "${BITEXACT[@]}" "$OUT/$1.webm"
}
make_video evening-sky \
  "14+22*$SKY_GLOW+10*$SKY_Y*$SKY_BAND" \
  "16+12*$SKY_GLOW+8*$SKY_BAND" \
  "34+40*$SKY_Y+14*$SKY_GLOW+8*$SKY_BAND" \
  evening-sky-sound

# Moonlit water: a dim moon glow over dark water whose glints drift and shimmer.
W_P="(2*PI*T/$LV)"
W_MOON="exp(-(pow((X/W-0.5-0.04*sin($W_P))*1.8,2)+pow((Y/H-0.22)*3.2,2)))"
W_WATER="(gt(Y/H,0.45)*pow(max(0,sin(X/W*9+4*$W_P+3*sin(Y/H*7+$W_P))*sin(Y/H*60-6*$W_P)),6)*exp(-pow((X/W-0.5)*2.6,2)))"
make_video moonlit-water \
  "10+26*$W_MOON+40*$W_WATER" \
  "14+28*$W_MOON+44*$W_WATER" \
  "22+34*$W_MOON+52*$W_WATER" \
  moonlit-water-sound

# --- Thumbnails (PNG, 320x180) ----------------------------------------------------------
thumb_still() {  # NAME R G B: a quiet gradient picture for a sound
  "${FF[@]}" -f lavfi -i "nullsrc=s=320x180:d=1,format=gbrp" \
    -vf "geq=r='$2':g='$3':b='$4'" -frames:v 1 "${BITEXACT[@]}" "$OUT/$1.png"
}
thumb_still evening-pad \
  "20+40*exp(-pow((X/W-0.3)*2,2)-pow((Y/H-0.6)*2,2))" "22+18*(1-Y/H)" "48+30*(1-Y/H)"
thumb_still slow-drift \
  "26+18*(X/W)" "22+16*exp(-pow((X/W-0.6)*2,2)-pow((Y/H-0.4)*2.5,2))" "44+36*exp(-pow((X/W-0.6)*2,2))"
thumb_still ocean-swell \
  "12+6*sin(Y/H*12+X/W*3)" "32+20*(Y/H)+6*sin(Y/H*12+X/W*3)" "46+24*(Y/H)+8*sin(Y/H*12+X/W*3)"
thumb_still soft-rain \
  "28+14*(1-Y/H)" "34+16*(1-Y/H)+10*exp(-pow((X/W-0.4)*2,2))" "42+18*(1-Y/H)+12*exp(-pow((X/W-0.4)*2,2))"
for video in evening-sky moonlit-water; do
  "${FF[@]}" -ss 20 -i "$OUT/$video.webm" -frames:v 1 -vf scale=320:180 "${BITEXACT[@]}" \
    "$OUT/$video.png"
done

# --- Manifest: title and group of each item (the app reads it; durations from ffprobe) ---
duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$OUT/$1"; }
entry() {  # FILE TITLE GROUP THUMB
  printf '  {"file": "%s", "title": "%s", "group": "%s", "thumbnail": "%s", "duration_s": %.1f}' \
    "$1" "$2" "$3" "$4" "$(duration "$1")"
}
{
  echo "["
  entry evening-pad.opus "Evening pad" music evening-pad.png; echo ","
  entry slow-drift.opus "Slow drift" music slow-drift.png; echo ","
  entry ocean-swell.opus "Ocean swell" soundscapes ocean-swell.png; echo ","
  entry soft-rain.opus "Soft rain" soundscapes soft-rain.png; echo ","
  entry evening-sky.webm "Evening sky" video evening-sky.png; echo ","
  entry moonlit-water.webm "Moonlit water" video moonlit-water.png; echo
  echo "]"
} >"$OUT/library.json"

du -ch "$OUT"/*.opus "$OUT"/*.webm | tail -1 | sed 's/total/total (must stay under 15 MB)/'
