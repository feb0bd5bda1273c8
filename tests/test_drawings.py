"""lessons_lib.drawings: the block pictures and the groups slider count what arithmetic counts."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from lessons_lib import arithmetic as ar  # noqa: E402
from lessons_lib.drawings import (convolution_blocks_figure, groups_slider,  # noqa: E402
                                  groups_steps)


def test_groups_steps_walk_from_standard_to_extreme_inception():
    steps = groups_steps(channels=8, kernel_size=3, feature_map=12)
    assert [s["groups"] for s in steps] == [1, 2, 4, 8, None]
    assert [s["kind"] for s in steps] == ["standard", "grouped", "grouped", "depthwise",
                                          "extreme Inception"]
    assert steps[0]["weights"] == 3 * 3 * 8 * 8 and steps[0]["macs"] == 12 * 12 * 3 * 3 * 8 * 8
    for step in steps[:-1]:
        assert step["macs"] == ar.grouped_conv(12, 12, 8, 8, 3, step["groups"],
                                               use_bias=False).macs
    assert steps[-1]["weights"] == 3 * 3 * 8 + 8 * 8
    assert steps[-1]["macs"] == ar.separable_conv(12, 12, 8, 8, 3, use_bias=False).macs


def test_each_filter_reads_exactly_its_group():
    for step in groups_steps(channels=6, kernel_size=3):
        reads = [[cell is not None for cell in row] for row in step["spatial"]]
        per_filter = 6 // step["groups"] if step["groups"] else 1
        assert all(sum(row) == per_filter for row in reads)
        assert all(reads[o][o] for o in range(6))          # the diagonal block
    last = groups_steps(channels=6)[-1]
    assert all(cell == 1 for row in last["pointwise"] for cell in row)
    assert all(cell is None for row in groups_steps(channels=6)[0]["pointwise"] for cell in row)


@pytest.mark.parametrize("kwargs, error", [({"channels": 1}, ValueError),
                                           ({"channels": 32}, ValueError),
                                           ({"channels": 8.0}, TypeError),
                                           ({"kernel_size": 0}, ValueError)])
def test_bad_arguments_are_named(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        groups_steps(**kwargs)


def test_slider_steps_carry_data_and_titles():
    fig = groups_slider(channels=8)
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["g=1", "g=2", "g=4", "g=8", "depthwise + 1x1"]
    for step, counts in zip(steps, groups_steps(channels=8)):
        data, layout = step.args
        assert len(data["z"]) == 2
        assert f"{counts['macs']:,} MACs" in layout["title.text"]
    assert "576 weights" in fig.layout.title.text     # groups=1: 3*3*8*8


def test_blocks_figure_draws_three_rows_with_the_counts():
    import matplotlib.pyplot as plt

    fig = convolution_blocks_figure()
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    standard = ar.standard_conv(12, 12, 3, 256, 5, padding="valid", use_bias=False)
    assert len(fig.axes) == 3
    assert any(f"{standard.macs:,} MACs" in t for t in texts)
    plt.close(fig)
    with pytest.raises(ValueError, match="in_channels=9"):
        convolution_blocks_figure(in_channels=9)
