"""Package layout for setuptools (metadata lives in pyproject.toml): the code packages, found, plus
the config folders conf/ and scenarios/ shipped inside the wheel as sim/conf and sim/scenarios."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
DATA = {"sim.conf": "conf", "sim.scenarios": "scenarios"}
data_packages = {}
for package, folder in DATA.items():
    data_packages[package] = folder
    for sub in sorted(p for p in (HERE / folder).iterdir() if p.is_dir() and any(p.glob("*.yaml"))):
        data_packages[f"{package}.{sub.name}"] = f"{folder}/{sub.name}"

setup(
    packages=[*find_packages(include=["sim", "sim.*", "agents", "agents.*"]), *data_packages],
    package_dir=data_packages,
    package_data={package: ["*.yaml"] for package in data_packages},
)
