"""The MPD protocol server: mpc, ncmpcpp, M.A.L.P. and Home Assistant control tapedeck.

It owns no state: commands become the player's typed Commands, answers are read from the
PlayerController and the catalogue.
"""
