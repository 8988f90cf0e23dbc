<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>App</name>
    <message>
        <location filename="../app.py" line="92"/>
        <source>Unexpected {0}: {1}. The details are in the log file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="95"/>
        <source>Something went wrong</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="96"/>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="107"/>
        <location filename="../app.py" line="137"/>
        <source>Cannot open your data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="109"/>
        <source>Your database is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="112"/>
        <source>Repair (save what can be read)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="114"/>
        <source>Start again with nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="116"/>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="124"/>
        <source>Database repaired</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../widgets/chat_view.py" line="326"/>
        <source>Start a conversation: type a message below and press Ctrl+Enter.
Everything stays on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="341"/>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="353"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="354"/>
        <location filename="../widgets/chat_view.py" line="503"/>
        <source>Write a message… (Ctrl+Enter sends, Esc stops)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="360"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="362"/>
        <source>Send message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="363"/>
        <location filename="../widgets/chat_view.py" line="505"/>
        <source>Send (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="365"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="367"/>
        <source>Stop reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="368"/>
        <source>Stop the reply; the text so far is kept (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="502"/>
        <source>Write a message… (Enter sends, Shift+Enter new line, Esc stops)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="504"/>
        <source>Send (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="506"/>
        <source>Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="506"/>
        <source>Ctrl+Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="508"/>
        <source>Start a conversation: type a message below and press {0}.
Everything stays on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CloudPanel</name>
    <message>
        <location filename="../widgets/cloud_panel.py" line="84"/>
        <source>Use the cloud model for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="86"/>
        <source>Use the cloud for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="94"/>
        <source>Cloud endpoint URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="95"/>
        <source>https://api.example.com/v1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="98"/>
        <source>Cloud model name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="101"/>
        <source>The remote model&apos;s chat template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="102"/>
        <source>Found by the check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="103"/>
        <source>The server&apos;s own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="104"/>
        <source>The same as my local model&apos;s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="108"/>
        <source>How the remote model reads a conversation, for steering through completions. Leave it to the check unless you know the remote&apos;s family.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="112"/>
        <location filename="../widgets/cloud_panel.py" line="147"/>
        <source>API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="194"/>
        <source>Leave empty to keep the stored key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="117"/>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="119"/>
        <source>Save cloud settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="121"/>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="124"/>
        <source>Ask the endpoint what it can do: which routes, log-probabilities, whether it continues a reply, its template. Sends a few tiny requests with no text of yours.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="134"/>
        <source>Not checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="140"/>
        <source>What will be sent to the cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="144"/>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="145"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="146"/>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="153"/>
        <source>Endpoint (any OpenAI-compatible server)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="159"/>
        <source>What will be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="162"/>
        <source>Only the conversation&apos;s messages and the chosen tokens go out; your writing history and profile never do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="196"/>
        <source>Set by ASSISTANT_CLOUD_API_KEY; a key here is used instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="198"/>
        <source>No key stored; enter one if the endpoint needs it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="199"/>
        <source>How it is used: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="200"/>
        <source>not checked yet (Test connection)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="202"/>
        <source>Set up: {0} ({1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="205"/>
        <source>Not set up: enter the endpoint and the model, then Save.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="242"/>
        <source>Pick a conversation (or send a first message) to choose for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="312"/>
        <source>Cloud settings saved; checking the endpoint…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="326"/>
        <source>Enter the endpoint and the model&apos;s name to test them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="345"/>
        <source>How it would be used: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="347"/>
        <source>Checked at {0}; not saved yet: Save to use these settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="330"/>
        <source>Checking what the endpoint can do…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="336"/>
        <source>The check failed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="343"/>
        <source>Checked at {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../widgets/conversation_list.py" line="47"/>
        <source>Search conversations (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="48"/>
        <source>Search conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="58"/>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="72"/>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="74"/>
        <source>New conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="75"/>
        <source>Start a new chat (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="77"/>
        <location filename="../widgets/conversation_list.py" line="196"/>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="79"/>
        <source>Rename conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="80"/>
        <source>Rename the selected conversation (F2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="82"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="84"/>
        <source>Delete conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="197"/>
        <source>Settings of this conversation…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="198"/>
        <source>Export as Markdown…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="199"/>
        <source>Export as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="201"/>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <location filename="../widgets/conversation_settings.py" line="36"/>
        <source>Settings of “{0}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="42"/>
        <source>Instructions for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="44"/>
        <source>Empty: the app&apos;s system prompt. For example: answer in German, briefly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="48"/>
        <source>Personalization for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="49"/>
        <source>The app&apos;s choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="56"/>
        <source>Temperature for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="61"/>
        <source>The app&apos;s ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="63"/>
        <source>0 always picks the likeliest word; higher is more varied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="67"/>
        <source>Reply length for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="70"/>
        <source>The app&apos;s ({0} tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="71"/>
        <source> tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="73"/>
        <source>These apply to this conversation only, and travel with it in an export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="77"/>
        <source>Instructions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="78"/>
        <source>Personalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="79"/>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="80"/>
        <source>Reply length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="99"/>
        <source>Settings not saved</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <location filename="../dialogs.py" line="68"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DraftPane</name>
    <message>
        <location filename="../widgets/draft_pane.py" line="60"/>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="62"/>
        <source>Write here. Then ask for help with the buttons below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="74"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="76"/>
        <source>Stop writing the suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="84"/>
        <location filename="../widgets/draft_pane.py" line="122"/>
        <source>Suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="86"/>
        <source>The model&apos;s suggestion appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="88"/>
        <location filename="../widgets/draft_pane.py" line="90"/>
        <location filename="../widgets/draft_pane.py" line="324"/>
        <source>Use suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="92"/>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="94"/>
        <source>Discard suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="98"/>
        <location filename="../widgets/draft_pane.py" line="100"/>
        <source>Save as my writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="102"/>
        <source>Store this text in your writing history: your profile learns from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="104"/>
        <location filename="../widgets/draft_pane.py" line="106"/>
        <source>New draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="270"/>
        <source>Cannot save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="324"/>
        <source>Append to draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="327"/>
        <source>Not saved to your writing history yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="330"/>
        <source>Saved as writing sample #{0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="333"/>
        <source>Changed since it was saved (sample #{0}); save again to update.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FirstRunGuide</name>
    <message>
        <location filename="../widgets/first_run.py" line="116"/>
        <source>Getting started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="128"/>
        <source>Skip the guide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="130"/>
        <source>Help → Getting started shows it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="141"/>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="144"/>
        <location filename="../widgets/first_run.py" line="265"/>
        <source>Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="149"/>
        <source>You can chat while this is open. Settings: File → Settings (Ctrl+,).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="172"/>
        <source>Voice Assistant learns how you write and steers a local model toward your voice; nothing leaves this computer. The built-in model, SmolLM2-135M, is a small demonstration: fast, but simple. A larger GGUF chat model (1-8B) writes much better; pick one you have:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="178"/>
        <source>Models on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="184"/>
        <source>Use this model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="187"/>
        <source>Choose a file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="190"/>
        <source>Looking for models on this computer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="207"/>
        <source>Your voice is learned from your own texts: your chat messages, drafts you save, and what you add here. Paste a letter, an email or a post you wrote (one at a time), or import .txt and .md files. Five or more make a profile worth building.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="213"/>
        <source>A text you wrote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="214"/>
        <source>Paste something you wrote…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="216"/>
        <source>Add as my writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="219"/>
        <source>Import files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="240"/>
        <source>Build my profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="243"/>
        <source>Open Personalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="261"/>
        <source>The model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="261"/>
        <source>Your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="261"/>
        <source>Your profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="262"/>
        <source>Getting started, step {0} of {1}: {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="265"/>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="295"/>
        <source>built in: a demonstration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="296"/>
        <source>from {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="297"/>
        <source>{0} ({1}, {2}, {3})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="304"/>
        <source>{0} other model(s) found on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="305"/>
        <source>No other models found in the usual folders.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="307"/>
        <source>Searched: this app&apos;s models folder, LM Studio, GPT4All, Jan and the Hugging Face cache. A model is used where it is; nothing is copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="322"/>
        <source>Using {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="337"/>
        <source>Import your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="357"/>
        <source>{0} text(s) of yours so far.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="359"/>
        <source>You have {0} texts: enough for a first profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="361"/>
        <source>You have {0} text(s); {1} or more give a better profile, but you can build now and again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="364"/>
        <source>Your profile is what the app learned from your texts: a steering vector and a description in plain words. Building it runs in the background (minutes on a laptop) and you can keep chatting. {0} The Personalization tab shows what was learned and lets you choose how strongly replies follow it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HeadMap</name>
    <message>
        <location filename="../widgets/head_map.py" line="22"/>
        <source>Preference heads, layer by head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/head_map.py" line="32"/>
        <source>layer {0} head {1}: {2:+.3f}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <location filename="../widgets/history_panel.py" line="43"/>
        <source>chat message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="42"/>
        <source>draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="40"/>
        <source>imported file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="41"/>
        <source>typed or pasted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="44"/>
        <source>your edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="48"/>
        <source>Typed or pasted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="50"/>
        <source>Chat messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="49"/>
        <source>Drafts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="47"/>
        <source>Imported files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="98"/>
        <source>Show samples from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="99"/>
        <source>All sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="103"/>
        <source>Import files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="105"/>
        <source>Import text files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="106"/>
        <source>Import .txt or .md files (or drop them here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="111"/>
        <source>Writing samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="148"/>
        <source>Sample text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="149"/>
        <source>Pick a sample to read or edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="151"/>
        <source>Save changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="153"/>
        <source>Save changes to the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="155"/>
        <location filename="../widgets/history_panel.py" line="351"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="157"/>
        <source>Delete the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="51"/>
        <source>Your edits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="53"/>
        <source>Your writing (*.txt *.md *.markdown *.text *.docx *.odt *.pdf);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="56"/>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="57"/>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="58"/>
        <source>Learned from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="59"/>
        <source>Added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="121"/>
        <source>Paste or type a sample of your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="123"/>
        <source>Paste or type something you wrote (an e-mail, a post, a note)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="126"/>
        <source>Add to my writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="128"/>
        <source>Add the pasted text to your writing history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="130"/>
        <source>Learn from this sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="133"/>
        <source>Your profile and the texts put in the prompt use only the samples ticked here. Chat messages are left out unless you tick them: most are requests, not your writing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="181"/>
        <source>Drop .txt, .md, .docx, .odt or .pdf files here to add them to your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="213"/>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="213"/>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="252"/>
        <source>{0} writing sample(s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="254"/>
        <source> {0} of them are learned from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="260"/>
        <source> Your profile uses {0} of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="275"/>
        <source>Sample #{0}: {1}{2}, added {3}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="308"/>
        <source>Added to your writing history as sample #{0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="321"/>
        <source>Sample #{0} is learned from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="322"/>
        <source>Sample #{0} is kept but not learned from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="334"/>
        <source>Cannot save the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="338"/>
        <source>Sample #{0} saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="348"/>
        <source>Delete writing sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="349"/>
        <source>Delete sample #{0} from your writing history?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="352"/>
        <source>Your profile will not learn from it when it is next built.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="360"/>
        <source>Sample #{0} deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="366"/>
        <source>Import your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="381"/>
        <source>Nothing was imported. {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="382"/>
        <source>Cannot import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="386"/>
        <source>Imported {0} file(s) into your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LiveMeters</name>
    <message>
        <location filename="../widgets/meters.py" line="25"/>
        <source>Reply speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="28"/>
        <source>How full the model&apos;s context is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="37"/>
        <source>Context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="59"/>
        <source>Context full: the {0} oldest turn(s) were left out of this reply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="62"/>
        <source>Context nearly full: the next replies will leave the oldest turns out. Start a new chat to keep everything in view.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="31"/>
        <location filename="../widgets/meters.py" line="66"/>
        <source>Context %v / %m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="68"/>
        <source>{0} tokens of {1} in use, {2} kept for the reply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="70"/>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="94"/>
        <location filename="../widgets/meters.py" line="98"/>
        <source>{0:.1f} tok/s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../window_frame.py" line="24"/>
        <source>auto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="73"/>
        <location filename="../main_window.py" line="74"/>
        <source>Voice Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="110"/>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="111"/>
        <source>Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="112"/>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="113"/>
        <source>Writing history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="115"/>
        <source>Personalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="116"/>
        <source>Cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="117"/>
        <source>Other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="158"/>
        <location filename="../main_window.py" line="352"/>
        <source>Model: loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="62"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="63"/>
        <source>&amp;New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="67"/>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="72"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="76"/>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="77"/>
        <source>&amp;Find conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="81"/>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="82"/>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="85"/>
        <source>Follow the &amp;system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="86"/>
        <source>&amp;Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="87"/>
        <source>&amp;Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="95"/>
        <source>&amp;Enter sends the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="98"/>
        <source>Enter sends and Shift+Enter starts a new line; off: Ctrl+Enter sends.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="102"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="103"/>
        <source>&amp;Getting started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="107"/>
        <source>&amp;About</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="178"/>
        <source>Conversation written to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="189"/>
        <source>Copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="224"/>
        <location filename="../main_window.py" line="381"/>
        <location filename="../window_reply.py" line="102"/>
        <location filename="../window_reply.py" line="116"/>
        <source>Wait for the reply to finish first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="230"/>
        <source>Delete reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="230"/>
        <source>Delete this reply?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="231"/>
        <source>All {0} versions of this reply are deleted with it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="233"/>
        <source>The model&apos;s reply is removed from this conversation; your messages stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="236"/>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="236"/>
        <source>Delete this message?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="237"/>
        <source>It stays in your writing history (remove it there too if you want it gone from your profile).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="240"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="106"/>
        <source>Send this instead. The conversation continues in a branch; the original stays as it is. (Ctrl+Enter sends.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="359"/>
        <source>Voice Assistant {0}

A private assistant that learns how you write. Your conversations, writing history and profile stay on this computer.

Data folder: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="105"/>
        <source>Edit message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="109"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="119"/>
        <source>Edit reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="120"/>
        <source>Write the reply as it should have been. It is kept as a new version; ‹ › steps back to the model&apos;s. (Ctrl+Enter saves.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="123"/>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="129"/>
        <source>Your version of the reply is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="208"/>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="219"/>
        <source>Stopped before the reply began.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="273"/>
        <source>The conversation is longer than the model&apos;s context; the {0} oldest turn(s) were left out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="327"/>
        <source>Stopped before the first word; no reply was kept.{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="332"/>
        <source>Stopped; the text so far is kept.{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="336"/>
        <source> at {0} tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="341"/>
        <source>Done: {0} tokens{1}.{2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_reply.py" line="363"/>
        <source>Writing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="294"/>
        <source>Saved to your writing history (sample #{0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="362"/>
        <source>About Voice Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="387"/>
        <source>the built-in model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="401"/>
        <source>Building your profile in the background; chat as you like.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="128"/>
        <source> (embedded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="130"/>
        <source>Model: {0}{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="136"/>
        <source>Model: not loaded yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="141"/>
        <source>Device: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="142"/>
        <source> · chat on {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="145"/>
        <source>Personalization: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="149"/>
        <source>Cloud: on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../window_frame.py" line="150"/>
        <source>Cloud: off</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <location filename="../widgets/chat_view.py" line="115"/>
        <source>Your message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="115"/>
        <source>Assistant reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="122"/>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="124"/>
        <source>Copy message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="128"/>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="130"/>
        <source>Regenerate reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="139"/>
        <source>Previous version of this reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="146"/>
        <source>Next version of this reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="151"/>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="154"/>
        <source>Edit message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="156"/>
        <source>Send it changed; the conversation continues in a branch and this one stays as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="159"/>
        <source>Edit reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="161"/>
        <source>Write the reply as it should have been; it is kept as a new version (‹ › steps back to the model&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="166"/>
        <source>Continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="168"/>
        <source>Continue this reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="170"/>
        <source>The reply stopped at its length limit; write on from where it ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="176"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="178"/>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="208"/>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="208"/>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="213"/>
        <source>edited by you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="215"/>
        <source>cut at the length limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="218"/>
        <source>partial (stopped)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="220"/>
        <source>writing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="220"/>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PersonalizationPanel</name>
    <message>
        <location filename="../widgets/profile_state.py" line="106"/>
        <source>{0} needs no build: it reads your writing history as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="64"/>
        <source>under a minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="65"/>
        <source>about {0} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="90"/>
        <source>Personalization method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="94"/>
        <source>Personalization strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="97"/>
        <source>0.00</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="104"/>
        <source>Use this strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="106"/>
        <source>Save the strength the preview shows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="115"/>
        <source>Use it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="117"/>
        <source>Use the recommended method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="121"/>
        <location filename="../widgets/personalization_panel.py" line="123"/>
        <location filename="../widgets/personalization_panel.py" line="379"/>
        <source>Build profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="125"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="127"/>
        <source>Cancel building the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="131"/>
        <source>Profile build progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="138"/>
        <source>What was learned about your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="140"/>
        <source>After a build, a plain-words description of your writing appears here; you can edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="143"/>
        <location filename="../widgets/personalization_panel.py" line="145"/>
        <source>Save description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="242"/>
        <source>Words typical of you:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="244"/>
        <source>Learned from your writing samples:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="453"/>
        <source>Cannot write like you yet: {0}. Add your own texts in the Writing history tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="53"/>
        <source>Prompt to preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="55"/>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="58"/>
        <source>Answer one prompt with your profile off and on, side by side.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="65"/>
        <source>Reply with the profile off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="68"/>
        <source>Reply with the profile on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="159"/>
        <source>Preference heads (DPS), layer by head:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="168"/>
        <location filename="../widgets/personalization_panel.py" line="170"/>
        <source>Write like me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="172"/>
        <source>Chat and drafting answer in your voice, learned from your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="193"/>
        <source>Advanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="206"/>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="214"/>
        <source>How strongly the profile pushes the reply toward your voice (0 is off).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="217"/>
        <source>Strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="218"/>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="219"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="223"/>
        <source>Best for you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="234"/>
        <source>What was learned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="162"/>
        <location filename="../widgets/personalization_panel.py" line="312"/>
        <source>Fints: no reply yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="50"/>
        <source>See the difference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="310"/>
        <source>Fints, last reply: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="353"/>
        <source>On: chat and drafting use {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="355"/>
        <source>Off: replies are the model&apos;s own. {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="357"/>
        <source>Build your profile to see what it changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="360"/>
        <source>{0} included sample(s); the latest: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="363"/>
        <source>None yet: add your own texts in the Writing history tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="367"/>
        <source>{0}: where in the model the steering is added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="374"/>
        <source>{0}. {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="379"/>
        <source>Rebuild profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="390"/>
        <source>No {0} profile yet: build one from your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="392"/>
        <source>No profile yet: build one from your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="394"/>
        <source>{0} profile for {1}, from {2} writing sample(s), built {3}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="398"/>
        <source> The model in use is {0}: rebuild the profile to use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="401"/>
        <source> Personalization is off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="412"/>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="418"/>
        <source>No profile has been built from them yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="441"/>
        <source>{0} cannot be used yet: {1}. Build its profile or add your texts first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="78"/>
        <source>Without your voice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="79"/>
        <source>In your voice (marked: words your profile made likelier)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="94"/>
        <source>Writing both replies…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="101"/>
        <source>The preview did not finish.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="109"/>
        <source> at strength {0:.2f}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="111"/>
        <source>{0}{1}: {2} word(s) marked, each made at least {3:.1f}× as likely by your profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="115"/>
        <source>{0}{1}: this method decodes by itself, so no words are marked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/profile_preview.py" line="119"/>
        <source>Not saved yet: “Use this strength” keeps it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="497"/>
        <source>Description not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="499"/>
        <source>Description saved; the next build keeps your wording.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="517"/>
        <source>Starting… (loading the models)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="524"/>
        <source>{0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="531"/>
        <source>{0} (estimating the time left…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="533"/>
        <source>{0}: {1} left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="539"/>
        <source>Cancelled; the previous profile is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="541"/>
        <source>The build failed; the previous profile is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="543"/>
        <source>Profile built; chat now uses it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="544"/>
        <source>Your profile is built.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="560"/>
        <source>{0} cannot be used yet: {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="564"/>
        <source>Chat now uses {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ServePanel</name>
    <message>
        <location filename="../widgets/serve_panel.py" line="50"/>
        <source>Let apps on this computer write in my voice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="52"/>
        <source>Serve my voice to apps on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="54"/>
        <location filename="../widgets/serve_panel.py" line="236"/>
        <source>Off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="60"/>
        <source>Address for other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="65"/>
        <source>Access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="66"/>
        <location filename="../widgets/serve_panel.py" line="120"/>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="70"/>
        <source>Copy token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="73"/>
        <source>New token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="75"/>
        <source>Apps using the old token stop working.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="77"/>
        <source>Keep their requests and replies as conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="83"/>
        <source>An OpenAI-compatible endpoint on 127.0.0.1 only. In an app&apos;s OpenAI settings, use the address as the base URL and the token as the API key; the model &apos;voice-assistant&apos; answers with your profile, &apos;voice-assistant:plain&apos; without. Your writing history never leaves this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="95"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="96"/>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="97"/>
        <source>Other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="120"/>
        <source>Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="126"/>
        <source> Token copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="145"/>
        <source>Saved; it applies when the server starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="178"/>
        <source>Starting: loading the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="186"/>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="213"/>
        <source>On: apps on this computer can use your voice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="223"/>
        <source>The server could not start ({0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="241"/>
        <source>The server stopped unexpectedly (exit code {0}).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="62"/>
        <source>Automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="64"/>
        <source>NVIDIA GPU (CUDA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="65"/>
        <source>Apple GPU (Metal)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_scans.py" line="27"/>
        <source>{0} — {1}, {2} layers, context {3}, {4:.0f} MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_scans.py" line="52"/>
        <source>{0} cannot be read ({1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_scans.py" line="108"/>
        <source>, base (no chat template)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_scans.py" line="111"/>
        <source>{0} — {1}{2}, {3:.0f} MB, context {4}{5} [{6}]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="85"/>
        <location filename="../widgets/settings_dialog.py" line="86"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="101"/>
        <source>Model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="103"/>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="105"/>
        <source>Choose a model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="107"/>
        <location filename="../widgets/settings_dialog.py" line="109"/>
        <source>Use the embedded model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="113"/>
        <source>Models found on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="114"/>
        <source>Looking for models on this computer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="117"/>
        <source>GGUF files of this app, LM Studio, GPT4All, Jan and the Hugging Face cache. A model is used where it is; nothing is copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="127"/>
        <location filename="../widgets/settings_dialog.py" line="159"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="134"/>
        <source>Where the personalization methods run. Chat runs in llama.cpp, which uses the GPU when it was built with GPU support.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="138"/>
        <location filename="../widgets/settings_dialog.py" line="160"/>
        <source>Threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="140"/>
        <source>Automatic ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="145"/>
        <location filename="../widgets/settings_dialog.py" line="161"/>
        <source>Data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="148"/>
        <source>Everything the app stores lives here. Start with --home DIR or set ASSISTANT_HOME to use another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="156"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="157"/>
        <source>Found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="162"/>
        <source>Model and performance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="168"/>
        <location filename="../widgets/settings_dialog.py" line="196"/>
        <source>System prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="173"/>
        <location filename="../widgets/settings_dialog.py" line="197"/>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="181"/>
        <location filename="../widgets/settings_dialog.py" line="198"/>
        <source>Reply length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="183"/>
        <location filename="../widgets/settings_dialog.py" line="190"/>
        <source> tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="187"/>
        <location filename="../widgets/settings_dialog.py" line="199"/>
        <source>Context size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="193"/>
        <source>How much of the conversation the model sees; capped at what the model was trained for. A change reloads the model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="201"/>
        <source>Defaults for every conversation; a conversation&apos;s own settings (its menu) win.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="206"/>
        <source>Replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="210"/>
        <source>Export everything…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="212"/>
        <source>Export all data to an archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="214"/>
        <source>Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="216"/>
        <source>Import an archive or a ChatGPT export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="218"/>
        <source>Reset profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="220"/>
        <location filename="../widgets/settings_dialog.py" line="472"/>
        <source>Reset the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="222"/>
        <source>Delete all my data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="224"/>
        <source>Delete all data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="228"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="233"/>
        <source>Your data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="282"/>
        <source>{0} (not found on this computer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="296"/>
        <source>Embedded: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="307"/>
        <location filename="../widgets/settings_dialog.py" line="379"/>
        <source>Checking the model file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="314"/>
        <source>No other GGUF models found on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="317"/>
        <source>{0} model(s) on this computer: pick one…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="345"/>
        <source>Not a usable model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="357"/>
        <source>Unusable: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="362"/>
        <source>Choose a GGUF model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="363"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="399"/>
        <source>Cannot save the settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="417"/>
        <source>Export everything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="418"/>
        <source>Archives (*.zip);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="428"/>
        <location filename="../widgets/settings_dialog.py" line="492"/>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="429"/>
        <source>Archives and ChatGPT exports (*.zip *.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="451"/>
        <source>Exporting to {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="455"/>
        <source>Stop the reply being written first, then import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="456"/>
        <location filename="../widgets/settings_dialog.py" line="466"/>
        <source>Busy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="461"/>
        <source>Importing {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="465"/>
        <source>Stop the reply being written first, then reset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="472"/>
        <source>Delete all your data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="476"/>
        <source>Deleting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="477"/>
        <source>Reset profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="477"/>
        <source>Delete everything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="478"/>
        <source>Deleted data is overwritten in the database file, not just hidden.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="492"/>
        <location filename="../widgets/settings_dialog.py" line="508"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="493"/>
        <source>Reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="501"/>
        <source>{0} cancelled; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="504"/>
        <source>{0} failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="506"/>
        <source>Exported to {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="507"/>
        <source>Everything was exported to
{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="513"/>
        <source>Your profile was reset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="514"/>
        <source>All your data was deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="522"/>
        <source>{0} conversation(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="523"/>
        <source>{0} message(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="524"/>
        <source>{0} writing sample(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="525"/>
        <source>{0} setting(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="527"/>
        <source>the ChatGPT export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="528"/>
        <source>the archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="529"/>
        <source>Imported from {0}: {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="530"/>
        <source>Nothing new in {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="533"/>
        <source>Already here, so skipped: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
