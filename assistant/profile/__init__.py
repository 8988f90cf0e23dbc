"""Building, storing and previewing the user's profile, and the method the app recommends."""
