# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connectivity report, one package for its data and its pages.

The model: ``model.py`` (report.json's shape, in its docstring, and the verdict's level and
headline) and ``findings.py`` (the verdict's rules). The view, by what it draws: ``view.py``
(the whole view model the templates read), ``summary.py`` (banner and chips), ``topology.py``,
``charts.py``, ``tables.py``, ``colours.py``, ``formatting.py`` and ``fields.py`` (the report's
fields as the view reads them). ``constants.py`` holds the vocabulary both share (levels, tunnel
states, paths, tools); ``files.py`` the lab_report module's parameters and the report's files.
"""
