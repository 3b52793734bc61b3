"""Image story core: image -> caption -> Chinese caption -> story -> speech -> bundle. No Streamlit here.

Modules, one idea each: images (safe opening), caption (BLIP), translate (Marian), writer (chat
messages, sampling settings, streaming, length control), tutorial (the tutorial's original story
step), tts (gTTS -> espeak-ng), files (the app data dir for audio/bundles and its cleanup), bundle
(params.json schema, zip).
"""
