"""Speech in (decode, recognise) and speech out (speakable text, synthesis); see docs/voice.md."""
