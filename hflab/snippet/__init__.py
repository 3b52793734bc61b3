"""What every page's copyable code and notebooks are made of: how a snippet loads its model, and .ipynb building."""
