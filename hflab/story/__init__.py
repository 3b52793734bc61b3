"""Image story core: image -> caption -> Chinese caption -> story -> speech -> bundle. No Streamlit here.

Modules, one idea each: images (safe opening), caption (BLIP), translate (Marian), story (chat
messages, sampling settings, streaming, length control), tts (gTTS -> espeak-ng), files (the app
data dir for audio/bundles and its cleanup), bundle (zip + params.json).
"""
