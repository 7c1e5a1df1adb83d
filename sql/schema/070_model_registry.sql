-- one row per trained model (per task per training run); at most one champion per task
create table if not exists model_registry (
    model_id varchar not null primary key,
    task varchar not null,
    algorithm varchar not null,
    trained_at timestamp not null,
    as_of_date date not null,
    training_cutoffs varchar not null,
    validation_cutoffs varchar not null,
    metric_name varchar not null,
    metric_value double,
    metrics varchar,
    artifact_path varchar not null,
    checksum varchar not null,
    feature_hash varchar not null,
    is_champion boolean not null default false,
    promoted_at timestamp,
    decision varchar
);
comment on table model_registry is 'Every model scorehouse trained, one row per task per training run, and which one is the champion used for scoring. Trained models are kept after they are replaced, so past scores can be traced to the exact model.';
comment on column model_registry.model_id is 'Identifier of the model, e.g. spend-20261122-hgb_poisson-20261123T060102-1a2b3c4d (task, as-of day, algorithm, training time, start of the checksum). customer_scores.spend_model_id and category_model_id refer to it.';
comment on column model_registry.task is 'What the model predicts: spend (total spend in the next 30 days) or category (category of the next purchase).';
comment on column model_registry.algorithm is 'Name of the candidate that won the comparison, e.g. hgb_poisson, two_part_hgb, random_forest, btyd, naive_last_30d.';
comment on column model_registry.trained_at is 'When the training run finished fitting this model (UTC).';
comment on column model_registry.as_of_date is 'Last day of data the training run used: no purchase after this day influenced the model.';
comment on column model_registry.training_cutoffs is 'JSON list of the cutoff days whose customers (features as of the cutoff, outcome in the 30 days after) the final model was fitted on.';
comment on column model_registry.validation_cutoffs is 'JSON list of the held-out cutoff days the candidates were compared on; each was predicted by a model trained only on earlier cutoffs whose outcome was known by then.';
comment on column model_registry.metric_name is 'The metric champions are chosen by (settings training.spend_metric or training.category_metric), e.g. rmse or log_loss.';
comment on column model_registry.metric_value is 'Value of metric_name on the validation cutoffs (out of time). For rmse, mae and log_loss lower is better; for the others higher.';
comment on column model_registry.metrics is 'JSON object: every validation metric of this model (rmse, mae, r2, spearman, top_decile_capture, bias_ratio, interval coverage; or accuracy, top3_accuracy, macro_f1, log_loss) and the comparison table of all candidates.';
comment on column model_registry.artifact_path is 'Where the fitted scikit-learn Pipeline is saved, relative to the artifacts directory (a .joblib file with a .json sidecar beside it).';
comment on column model_registry.checksum is 'sha256 of the .joblib file; loading refuses a file whose checksum differs.';
comment on column model_registry.feature_hash is 'sha256 of the model''s feature names and types; loading refuses a model whose feature list does not match.';
comment on column model_registry.is_champion is 'True for the one model per task that scoring uses now.';
comment on column model_registry.promoted_at is 'When the model became champion (UTC); NULL if it never did. It stays set after the model is replaced.';
comment on column model_registry.decision is 'Why the model was or was not made champion, e.g. it beat the champion on the same validation cutoffs, or it did not and the champion was kept.';
