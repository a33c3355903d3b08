"""convnets-lab helpers: data, plotting, training, inspect, widgets and checks for the notebooks.

Import the module you need (`from helpers import data, training`); nothing heavy loads here.
"""

__version__ = "0.1.0"
