package org.herald.api.admin.dto;

import java.util.List;
import java.util.Locale;
import org.herald.api.common.Json;
import org.herald.projection.ops.ProjectionStatus;
import org.herald.projection.ops.RebuildState;

/**
 * The projection table of {@code GET /projections} (operator port) and {@code GET
 * /v1/admin/projections}: one shape for both.
 */
public final class ProjectionDtos {
  private ProjectionDtos() {}

  public record ProjectionsResponse(List<ProjectionDto> projections) {
    public static ProjectionsResponse of(List<ProjectionStatus> all) {
      return new ProjectionsResponse(all.stream().map(ProjectionDto::of).toList());
    }
  }

  /**
   * One projection. {@code eventsBehindCapped} true means "at least {@code eventsBehind}": the
   * count stops at {@code herald.projections.lag.max-count} per instance.
   */
  public record ProjectionDto(
      String name,
      String delivery,
      List<String> tags,
      List<String> tables,
      boolean rebuildable,
      String rebuildRefusal,
      long eventsBehind,
      boolean eventsBehindCapped,
      double secondsBehind,
      boolean paused,
      boolean caughtUp,
      RebuildDto rebuild,
      List<InstanceDto> instances) {
    static ProjectionDto of(ProjectionStatus s) {
      return new ProjectionDto(
          s.name(),
          s.model().delivery().name().toLowerCase(Locale.ROOT).replace('_', '-'),
          s.model().tags(),
          s.model().tables(),
          s.model().rebuildable(),
          s.model().rebuildRefusal(),
          s.eventsBehind(),
          s.capped(),
          s.secondsBehind(),
          s.paused(),
          s.caughtUp(),
          s.rebuild() == null ? null : RebuildDto.of(s.rebuild()),
          s.instances().stream().map(InstanceDto::of).toList());
    }
  }

  /** One tag instance; {@code offset} is absent before its first event. */
  public record InstanceDto(String tag, Long offset, long eventsBehind, boolean eventsBehindCapped, double secondsBehind, boolean paused) {
    static InstanceDto of(ProjectionStatus.Instance i) {
      return new InstanceDto(i.tag(), i.offset(), i.eventsBehind(), i.capped(), i.secondsBehind(), i.paused());
    }
  }

  /** A rebuild started on the answering node: state pausing, clearing, replaying, caught-up or failed. */
  public record RebuildDto(String projection, String state, String startedAt, String since, String finishedAt, String error) {
    public static RebuildDto of(RebuildState r) {
      return new RebuildDto(
          r.projection(),
          r.phase().name().toLowerCase(Locale.ROOT).replace('_', '-'),
          Json.time(r.startedAt()),
          Json.time(r.since()),
          Json.time(r.finishedAt()),
          r.error());
    }
  }
}
