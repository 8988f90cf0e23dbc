"""The opt-in cloud model: its settings and key, and CoSteer's turns."""
